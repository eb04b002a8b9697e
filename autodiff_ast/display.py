"""Display: generated code as HTML, so that a transform shows its code in Jupyter.

``code_html(transform)`` gives the HTML of a transform's generated source
(``.source``) under its ``repr``: highlighted by Pygments when it is installed, else a
plain escaped ``<pre>``. Each transform's ``_repr_html_`` calls it. An error while
generating the code is shown as its message rather than raised, so that displaying a
transform in a notebook never fails with a traceback from the formatter.

>>> class Shown:
...     source = "def grad_f(x, dout=1.0):\\n    return dout * 2 < 3\\n"
...     def __repr__(self):
...         return "<grad of f>"
>>> html = code_html(Shown(), highlight=False)
>>> print(html.replace("</div><pre>", "</div>\\n<pre>"))
<div class="autodiff-ast-code"><div><code>&lt;grad of f&gt;</code></div>
<pre>def grad_f(x, dout=1.0):
    return dout * 2 &lt; 3
</pre></div>
"""

from __future__ import annotations

from html import escape

from .errors import AutodiffError

STYLE = "default"  # a Pygments style that reads on light and dark notebook themes


def code_html(transform, highlight=True):
    """HTML of ``transform.source`` under ``repr(transform)``; see the module docstring.
    ``highlight=False`` gives the plain ``<pre>`` even where Pygments is installed."""
    title = f"<div><code>{escape(repr(transform))}</code></div>"
    try:
        source = transform.source
    except AutodiffError as error:
        return (f'<div class="autodiff-ast-code">{title}<pre style="color: #b00020">'
                f"{escape(str(error))}</pre></div>")
    return f'<div class="autodiff-ast-code">{title}{python_html(source, highlight)}</div>'


def python_html(source, highlight=True):
    """Python ``source`` as HTML: Pygments' highlighting with inline styles (no style
    sheet needed) when it is installed and ``highlight`` is true, else ``<pre>``."""
    if highlight:
        try:
            from pygments import highlight as pygments_highlight
            from pygments.formatters import HtmlFormatter
            from pygments.lexers import PythonLexer
        except ImportError:  # Pygments is optional (the notebook extra installs it)
            pass
        else:
            return pygments_highlight(source, PythonLexer(),
                                      HtmlFormatter(noclasses=True, style=STYLE))
    return f"<pre>{escape(source)}</pre>"
