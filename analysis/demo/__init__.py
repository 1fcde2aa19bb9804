"""The fictional demo directory and the services template."""
