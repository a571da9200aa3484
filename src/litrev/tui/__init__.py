"""Terminal user interfaces (Textual): an adapter over the screening core, beside `cli/` and `web/`.

`screen.ScreenerApp` screens one record at a time; `resolve.ResolverApp` walks a stage's
conflicts (`litrev screen` and `litrev screen --resolve` start them). The core
(`litrev.screening`) never imports this package, so it loads without Textual.

>>> from litrev.tui.resolve import ResolverApp
>>> ResolverApp.TITLE
'litrev screen --resolve'
"""
