L_NO_TOUCH = false;
                L_DISABLE_3D = false;
var map_map = L.map(
                "map_map",
                {
                    center: [39.7385, 116.144],
                    crs: L.CRS.EPSG3857,
                    ...{
  "zoom": 15,
  "zoomControl": true,
  "preferCanvas": false,
}

                }
            );

            

        
    
            var tile_layer_amap = L.tileLayer(
                "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn\u0026size=1\u0026scale=1\u0026style=8\u0026x={x}\u0026y={y}\u0026z={z}",
                {
  "minZoom": 0,
  "maxZoom": 18,
  "maxNativeZoom": 18,
  "noWrap": false,
  "attribution": "\u0026copy; \u9ad8\u5fb7\u5730\u56fe",
  "subdomains": "1234",
  "detectRetina": false,
  "tms": false,
  "opacity": 1,
}

            );
        
    
            tile_layer_amap.addTo(map_map);
        
    
            var tile_layer_osm = L.tileLayer(
                "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                {
  "minZoom": 0,
  "maxZoom": 19,
  "maxNativeZoom": 19,
  "noWrap": false,
  "attribution": "\u0026copy; OpenStreetMap \u8d21\u732e\u8005",
  "subdomains": "abc",
  "detectRetina": false,
  "tms": false,
  "opacity": 1,
}

            );
        
    
            L.control.fullscreen(
                {
  "position": "topleft",
  "title": "\u5168\u5c4f",
  "titleCancel": "\u9000\u51fa\u5168\u5c4f",
  "forceSeparateButton": false,
}
            ).addTo(map_map);
        
    
            var layer_control_layers_layers = {
                base_layers : {
                    "\u9ad8\u5fb7\u5730\u56fe" : tile_layer_amap,
                    "OpenStreetMap" : tile_layer_osm,
                },
                overlays :  {
                },
            };
            let layer_control_layers = L.control.layers(
                layer_control_layers_layers.base_layers,
                layer_control_layers_layers.overlays,
                {
  "position": "topright",
  "collapsed": true,
  "autoZIndex": true,
}
            ).addTo(map_map);
window.LOCATOR_PAGE = {"map":"map_map","layers":{"amap":"tile_layer_amap","osm":"tile_layer_osm","tianditu":"tile_layer_tianditu"},"title":"暖心驿站地图 · 房山区","data":"assets/data-district-fangshan.789346e542.js","engine":"assets/engine.929f73315d.js","supercluster":"assets/supercluster.5981fb3964.js","types":[["service_station","工会服务站","工"],["warm_station","暖心驿站","暖"],["worker_home","职工之家","家"],["mother_baby_room","母婴关爱室","婴"]],"amenities":[["drinking_water","饮水","💧"],["hot_water","热水","♨️"],["microwave","热饭","🍱"],["toilet","如厕","🚻"],["rest_area","休息","🛋️"],["phone_charging","手机充电","🔌"],["ebike_charging","电动车充电","🛵"],["battery_swap","换电柜","🔋"],["first_aid","急救药箱","⛑️"],["tire_pump","打气筒","🚲"],["wifi","无线网络","📶"],["sewing_kit","针线包","🧵"],["umbrella","共享雨伞","☂️"],["blood_pressure","血压计","🩺"],["blood_glucose","血糖仪","🩸"],["reading","书报","📚"],["free_cold_drinks","爱心冰柜","🧊"],["air_conditioning","空调","❄️"],["heating","取暖","🔥"],["nursing_room","母婴室","🍼"],["decompression_space","减压空间","🥊"],["meals","爱心餐","🍚"],["accessible","无障碍","♿"],["legal_aid","法律咨询","⚖️"],["counseling","心理咨询","💬"],["childcare","托管","🧸"]]};
