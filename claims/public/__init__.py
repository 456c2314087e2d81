"""The public site: what anonymous readers, search engines and aggregators see.

Everything here reads published versions only (``Claim.current_version``,
never the claim's working fields), so an editor's draft cannot reach a
reader. A claim is public when it has been approved at least once; it stays
public, with its last approved version, while an update is being prepared,
and a withdrawn one keeps only its address and the reason it was withdrawn.

Modules, from the data to the response:

- ``selectors``: the reads, a fixed number of queries per page;
- ``factchecks``: the rows turned into what pages show (``FactCheck``);
- ``scale``: the rating scale as pages use it, and its stylesheet;
- ``article_html``: the article with its highlights as links;
- ``jsonld`` and ``annotations``: schema.org ClaimReview and W3C Web
  Annotation output; ``feeds``: the Atom feed;
- ``freshness``: the publication stamp, read from the database on every
  request; ``page_cache``: rendered pages reused while the stamp holds, under
  one key (``page_cache.key``), with ETag and conditional GET; ``wsgi``: the
  layer in front of Django that answers a plain GET from the page stored
  under its key, as Django sent it; ``links``: absolute addresses, on
  SITE_URL only; ``checks``: the system check that SITE_URL is set;
- ``views`` and ``urls``; ``bare_app``: the benchmark's yardstick.
"""
