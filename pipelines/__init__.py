"""newsclean item pipelines, one job each: extract, validate, store."""
