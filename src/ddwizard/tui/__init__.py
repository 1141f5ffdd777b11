"""The Textual front end: the app, its screens and widgets, over the core's use cases."""
