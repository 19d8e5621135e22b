"""The plate domain without Home Assistant: what reads mean, independent of how they arrive.

Modules here import nothing from ``homeassistant`` (as ``protocols/``); the integration's
platforms and sources call into them.
"""
