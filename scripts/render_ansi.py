#!/usr/bin/env python3
"""Renders a terminal capture (`tmux capture-pane -e -p` output: text with SGR colour
sequences) to a PNG, cell by cell, so screenshots come from real terminal sessions.

usage: render_ansi.py CAPTURE.txt [CAPTURE2.txt] OUT.png [--title TEXT]
With two captures (two tmux panes), they are drawn side by side as two terminals.
Needs Pillow and the DejaVu Sans Mono font.
"""
import argparse
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = ["/usr/share/fonts/truetype/dejavu/", "/usr/share/fonts/dejavu/"]
SIZE = 15
BG = (24, 26, 33)
FG = (220, 223, 228)
BASE16 = [
    (40, 42, 54), (224, 108, 117), (152, 195, 121), (229, 192, 123),
    (97, 175, 239), (198, 120, 221), (86, 182, 194), (200, 204, 212),
    (92, 99, 112), (240, 128, 136), (170, 215, 140), (240, 210, 150),
    (130, 195, 250), (215, 150, 235), (120, 205, 215), (255, 255, 255),
]


def xterm256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


def font(name):
    for d in FONT_DIRS:
        try:
            return ImageFont.truetype(d + name, SIZE)
        except OSError:
            continue
    sys.exit(f"font {name} not found (install fonts-dejavu-core)")


class Style:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg, self.bg, self.bold, self.dim, self.rev, self.ul, self.it = None, None, False, False, False, False, False

    def apply(self, params):
        ps = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(ps):
            p = ps[i]
            if p == 0:
                self.reset()
            elif p == 1:
                self.bold = True
            elif p == 2:
                self.dim = True
            elif p == 3:
                self.it = True
            elif p == 4:
                self.ul = True
            elif p == 7:
                self.rev = True
            elif p == 22:
                self.bold = self.dim = False
            elif p == 23:
                self.it = False
            elif p == 24:
                self.ul = False
            elif p == 27:
                self.rev = False
            elif 30 <= p <= 37:
                self.fg = BASE16[p - 30]
            elif 90 <= p <= 97:
                self.fg = BASE16[p - 90 + 8]
            elif 40 <= p <= 47:
                self.bg = BASE16[p - 40]
            elif 100 <= p <= 107:
                self.bg = BASE16[p - 100 + 8]
            elif p == 39:
                self.fg = None
            elif p == 49:
                self.bg = None
            elif p in (38, 48) and i + 1 < len(ps):
                if ps[i + 1] == 5 and i + 2 < len(ps):
                    c = xterm256(ps[i + 2])
                    i += 2
                elif ps[i + 1] == 2 and i + 4 < len(ps):
                    c = tuple(ps[i + 2:i + 5])
                    i += 4
                else:
                    c = None
                if p == 38:
                    self.fg = c
                else:
                    self.bg = c
            i += 1

    def colours(self):
        fg, bg = self.fg or FG, self.bg or BG
        if self.rev:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
        return fg, bg


SGR = re.compile(r"\x1b\[([0-9;]*)m")
OTHER_ESC = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def cells(line, style):
    """Yields (char, width, fg, bg, bold, italic, underline) for one captured line."""
    pos = 0
    while pos < len(line):
        m = SGR.match(line, pos)
        if m:
            style.apply(m.group(1))
            pos = m.end()
            continue
        m = OTHER_ESC.match(line, pos)
        if m:
            pos = m.end()
            continue
        ch = line[pos]
        pos += 1
        if unicodedata.combining(ch):
            continue
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        fg, bg = style.colours()
        yield ch, w, fg, bg, style.bold, style.it, style.ul


def render(capture, title):
    regular, bold = font("DejaVuSansMono.ttf"), font("DejaVuSansMono-Bold.ttf")
    italic = font("DejaVuSansMono-Oblique.ttf")
    cw = round(regular.getlength("M"))
    ch = SIZE + 5
    lines = open(capture, encoding="utf-8", errors="replace").read().rstrip("\n").split("\n")
    cols = max(sum(c[1] for c in cells(l, Style())) for l in lines)
    a = argparse.Namespace(title=title)
    pad, title_h = 14, (30 if a.title else 0)
    img = Image.new("RGB", (cols * cw + 2 * pad, len(lines) * ch + 2 * pad + title_h), BG)
    d = ImageDraw.Draw(img)
    if a.title:
        d.rectangle([0, 0, img.width, title_h], fill=(44, 47, 58))
        for i, c in enumerate([(255, 95, 86), (255, 189, 46), (39, 201, 63)]):
            d.ellipse([12 + i * 20, 9, 24 + i * 20, 21], fill=c)
        d.text((80, 6), a.title, font=regular, fill=(170, 175, 185))
    style = Style()
    for row, line in enumerate(lines):
        x, y = pad, pad + title_h + row * ch
        for c, w, fg, bg, b, it, ul in cells(line, style):
            if bg != BG:
                d.rectangle([x, y, x + w * cw - 1, y + ch - 1], fill=bg)
            if c != " ":
                d.text((x, y + 2), c, font=bold if b else italic if it else regular, fill=fg)
            if ul:
                d.line([x, y + ch - 3, x + w * cw, y + ch - 3], fill=fg)
            x += w * cw
    return img


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+", help="one or two captures, then the output PNG")
    ap.add_argument("--title", action="append", default=[], help="a title per capture")
    a = ap.parse_args()
    *captures, out = a.files
    if not 1 <= len(captures) <= 2:
        sys.exit("give one or two captures and an output file")
    titles = a.title + [""] * (len(captures) - len(a.title))
    images = [render(c, t) for c, t in zip(captures, titles)]
    gap = 16
    joined = Image.new("RGB", (sum(i.width for i in images) + gap * (len(images) - 1), max(i.height for i in images)), (12, 13, 17))
    x = 0
    for i in images:
        joined.paste(i, (x, 0))
        x += i.width + gap
    joined.save(out)


if __name__ == "__main__":
    main()
