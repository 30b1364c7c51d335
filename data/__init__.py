"""Shipped data files (installed as the package `locator._data`; read through locator.shipped)."""
