"""newsclean's Scrapy commands (``COMMANDS_MODULE``): ``crawl`` (checked arguments), ``demo``, ``extract``."""
