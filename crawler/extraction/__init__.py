"""The pieces of article extraction, one concern per module.

`crawler.extract.extract` wires them together; each module is plain functions over bytes, strings
or lxml trees, imports no Scrapy and keeps no mutable module state, so they are safe to call from
many threads at once.

- charset:   bytes -> str (HTTP header, <meta>, BOM, detection; mojibake repair)
- dom:       str -> lxml tree; per-source `drop` selectors
- pagemeta:  the page's <meta> tags and JSON-LD objects, read once
- dates:     published / modified times as ISO 8601
- metadata:  byline, lead, tags, canonical URL, language
- headline:  choosing the headline among JSON-LD, og:title, twitter:title, <h1> and <title>
- body:      trafilatura's body text, normalised, without a repeated headline or lead
- quality:   the gate for empty, near-empty, challenge, block and error pages
- words:     word counts and the gate's word thresholds (light: the crawl process asks them)
"""
