"""One builder per memo section: ``build(inputs) -> section``.

Each module turns ``MemoInputs`` (the review, its evaluation, settings) into one frozen
section object of labels and preformatted values; the templates have one partial per section
(``partials/<section>.html.j2`` and ``partials/<section>.md.j2``) that only presents it.
"""
