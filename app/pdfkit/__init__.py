"""Drawing PDFs in Chinese with reportlab: the helpers the evaluation's and the
commendation's PDFs share.

`fonts` finds and registers the embedded CJK font, `text` fits, wraps and emboldens lines
of it, `qr` draws QR codes as vector paths. A base floor: nothing here imports another
``app`` package except `app.errors`.
"""
