"""Camera emulators and developer tools (not shipped with the integration)."""
