"""The app's icons and their SVG sources, installed as the package myssl_desktop.resources
(see myssl_desktop/resource_files.py)."""
