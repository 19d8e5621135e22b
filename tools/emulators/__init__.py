"""Camera emulators that speak each protocol for real over loopback (tests, bench, demo)."""
