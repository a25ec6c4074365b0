"""A paper's other links (pages, models, datasets, DOIs, short links): observed at the edge, judged purely."""
