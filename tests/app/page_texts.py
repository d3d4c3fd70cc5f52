"""Every text a page shows in AppTest, and a test for English left among them.

``page_texts(app)`` walks the element tree of a run page and collects the words a student reads:
markdown, captions, headings, alerts, widget labels, options, help, placeholders, tab labels,
chart titles, axis titles, legends, annotations and hover text of plotly figures, and alt texts.
Code (``st.code``, inline `code` and LaTeX) is left out: it stays as written in every language.

``english_sentences(texts)`` finds the pieces that read as English: a run of at least three words
with at least two English function words that Spanish never uses ("the", "with", "is" ...).
Names (Keras, ReLU, RMSProp), numbers and code pass.
"""

from __future__ import annotations

import json
import re

from google.protobuf.json_format import MessageToDict

# Keys of an element's message whose strings are not read by a student.
SKIPPED_KEYS = {
    "id",
    "formId",
    "key",
    "type",
    "icon",
    "url",
    "src",
    "data",
    "arrowData",
    "styler",
    "dtype",
    "theme",
    "componentName",
    "jsonArgs",
    "specialArgs",
    "color",
    "format",
    "language",
    "width",
    "height",
    "useContainerWidth",
    "fragmentId",
    "scriptHash",
    "pageScriptHash",
    "mimetype",
    "value",
    "setValue",
    "defaultValue",
    "selectionMode",
    "cssClass",
    "anchor",
    "bind",
    "page",  # a page link's target (its url path)
    "jsContent",  # a component's own script and styles
    "cssContent",
    "jsSourcePath",
    "cssSourcePath",
    "queryParamKey",  # a bound widget's URL parameter: its key
}
CODE_ELEMENTS = {"code"}
# Words English uses that Spanish never does: two of them in one short run of words is English.
ENGLISH_ONLY = set(
    [
        "the",
        "and",
        "of",
        "with",
        "this",
        "that",
        "is",
        "are",
        "you",
        "your",
        "from",
        "which",
        "each",
        "what",
        "when",
        "how",
        "its",
        "into",
        "than",
        "then",
        "their",
        "there",
        "these",
        "those",
        "was",
        "were",
        "will",
        "would",
        "has",
        "have",
        "been",
        "not",
        "but",
        "for",
        "it",
        "on",
        "by",
        "at",
        "or",
        "an",
        "be",
        "can",
        "more",
        "one",
        "two",
        "three",
        "how",
        "why",
        "here",
        "where",
        "only",
        "also",
        "both",
        "every",
        "all",
        "any",
        "same",
        "after",
        "before",
        "between",
        "while",
        "because",
        "until",
        "about",
        "over",
        "under",
        "shows",
        "show",
        "press",
        "click",
        "choose",
        "pick",
        "drag",
        "draw",
        "train",
        "trained",
        "training",
        "network",
        "layer",
        "layers",
        "digit",
        "digits",
        "image",
        "images",
        "pixel",
        "pixels",
        "weight",
        "weights",
        "loss",
        "accuracy",
        "test",
        "run",
        "runs",
        "model",
        "models",
        "learning",
        "rate",
        "step",
        "steps",
        "epoch",
        "epochs",
        "batch",
    ]
)
SPANISH_COMMON = set(
    [
        "de",
        "la",
        "el",
        "en",
        "que",
        "los",
        "las",
        "un",
        "una",
        "por",
        "con",
        "para",
        "es",
        "se",
        "del",
        "al",
        "como",
        "más",
        "no",
    ]
)


def _strings(value, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in SKIPPED_KEYS:
                _strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)


def _plotly_texts(spec_json: str, out: list[str]) -> None:
    figure = json.loads(spec_json)
    layout = figure.get("layout", {})

    def title(obj):
        text = obj.get("title")
        if isinstance(text, dict):
            text = text.get("text")
        if isinstance(text, str):
            out.append(text)

    title(layout)
    for name, axis in layout.items():
        if isinstance(axis, dict) and (name.startswith(("xaxis", "yaxis")) or name == "coloraxis"):
            title(axis)
            out.extend(str(t) for t in axis.get("ticktext", []) if isinstance(t, str))
    for annotation in layout.get("annotations", []):
        out.append(annotation.get("text", ""))
    for trace in figure.get("data", []):
        if isinstance(trace.get("name"), str):
            out.append(trace["name"])
        if isinstance(trace.get("hovertemplate"), str):
            out.append(re.sub(r"%\{[^}]*\}|<extra>.*?</extra>", " ", trace["hovertemplate"]))
        for key in ("text", "hovertext"):
            if isinstance(trace.get(key), str):
                out.append(trace[key])
        colorbar = trace.get("colorbar") or (trace.get("marker") or {}).get("colorbar")
        if isinstance(colorbar, dict):
            title(colorbar)


def _elements(block):
    children = getattr(block, "children", None)
    if children is None:
        yield block
        return
    if getattr(block, "proto", None) is not None:
        yield block  # a block's own label: tabs, expanders, popovers
    for child in children.values():
        yield from _elements(child)


def page_texts(app) -> list[str]:
    """Every text a student reads on the page run by ``app``, main area and sidebar."""
    out: list[str] = []
    for root in (app.main, app.sidebar):
        for element in _elements(root):
            proto = getattr(element, "proto", None)
            if proto is None or element.type in CODE_ELEMENTS:
                continue
            if element.type == "plotly_chart":
                _plotly_texts(proto.spec, out)
                out.append(proto.alt)
                continue
            try:
                message = MessageToDict(proto, preserving_proto_field_name=False)
            except TypeError:
                continue
            _strings(message, out)
    return [text for text in out if text and text.strip()]


def _prose(text: str) -> str:
    """The text without code, formulas, links' targets, HTML tags and markdown marks."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)  # the page's own machinery
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "] ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r":material/[a-z_]+:", " ", text)
    text = re.sub(r"\b\w+_\w+\b", " ", text)  # identifiers: learning_rate_init, a widget's key
    return text


def english_sentences(texts: list[str]) -> list[str]:
    """The pieces of ``texts`` that read as English sentences (empty on a fully translated page)."""
    found = []
    for text in texts:
        prose = re.sub(r"\S*[A-Za-z]\S*-\S*\d\S*", " ", _prose(text))  # file names: train-images-idx3-ubyte
        for piece in re.split(r"[.!?;:\n·()\[\]]+", prose):
            words = [w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ']+", piece)]
            if len(words) < 3:
                continue
            english = {w for w in words if w in ENGLISH_ONLY}
            spanish = sum(1 for w in words if w in SPANISH_COMMON)
            if len(english) >= 2 and len(english) > spanish:
                found.append(piece.strip())
    return sorted(set(found))
