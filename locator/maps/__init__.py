"""Map face: static Leaflet pages built with folium (the only package that imports folium)."""
