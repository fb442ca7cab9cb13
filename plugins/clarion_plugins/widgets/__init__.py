"""Built-in widgets: each module contributes one through ``clarion_widgets_register``."""
