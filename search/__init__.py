"""Full-text search over every archived version: analysis per language (analysis.py), the tantivy
index beside the archive kept current from `version_log` (index.py), queries, grouping by
article and snippets (query.py). Not archive storage: the index can be deleted and rebuilt from
the archive at any time (`wirewatch search` rebuilds it when it is missing)."""
