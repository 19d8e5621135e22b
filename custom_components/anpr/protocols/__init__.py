"""Pure protocol parsers and clients: no ``homeassistant`` import allowed in this package."""
