"""Coverage for planners: districts, the stations in them, and the area within reach of one.

Pure core (no web framework, no environment): districts.py (boundaries), metric.py (the one
owner of projected metres), grid.py and area.py (covered area), compute.py (the reports).
"""
