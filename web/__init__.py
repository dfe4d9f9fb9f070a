"""The Flask web app: search pages with htmx, article pages, JSON API, exports, embeds."""
