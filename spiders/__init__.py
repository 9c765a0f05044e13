"""newsclean spiders: they discover and fetch pages and yield them, nothing more."""
