"""Text lists: edge-case "naughty" strings and the NATO phonetic alphabet.

The naughty strings are our own selection of the kinds of input that break software
(reserved words, numbers that are not, injections, odd Unicode), written for datagen in the
spirit of the MIT-licensed Big List of Naughty Strings, not copied from it. The phonetic
alphabet is ICAO's, a public standard, spelled as ICAO spells it (Alfa, Juliett).
"""

from __future__ import annotations

__all__ = ["NATO", "NAUGHTY_STRINGS"]

NAUGHTY_STRINGS: tuple[str, ...] = (
    # reserved words and values that parse as something else
    "undefined", "null", "NULL", "nil", "None", "true", "False", "NaN", "Infinity",
    "-Infinity", "0", "-0", "0.0", "00", "-1", "1E+02", "0x1F", "1,000.00", "1.000,00",
    "99999999999999999999999999999", "-2147483649", "9223372036854775808", "1/0", "0/0",
    # whitespace and blank-looking strings
    " ", "\t", "\u00a0", "\u200b", "\ufeff", "  leading and trailing  ", "line one\nline two",
    "carriage\r\nreturn",
    # quoting and escaping
    "'", '"', "''", '""', "\\", "\\\\", "`", "'quoted'", '"double quoted"', "comma, separated",
    "semi;colon", "pipe|separated", "tab\tseparated",
    # injections
    "' OR '1'='1", "1; DROP TABLE users;--", "admin'--", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "javascript:alert(1)", "{{7*7}}", "${7*7}", "#{7*7}",
    "%s%s%s%n", "$(whoami)", "`id`", "../../../../etc/passwd", "..\\..\\windows\\win.ini",
    "file:///etc/hosts", "<!--", "]]>", "%00", "%0d%0a", "&amp;&lt;&gt;",
    # Unicode: accents, scripts, direction, width, emoji, combining marks
    "Ωmega ≈ ç √ ∫", "Åçcéñtëd Ünïcödé", "田中さんにあげて下さい", "사회과학원 어학연구소",
    "مرحبا بالعالم", "שלום עולם", "\u202eevil right-to-left override", "ＦＵＬＬ　ＷＩＤＴＨ",
    "１２３", "😀", "👩‍👩‍👧‍👦", "🇺🇸🇬🇧", "❤️", "Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍a̫͉̤͎̣lg̬o͎̙͡", "ﷺ", "𝕿𝖍𝖊 𝖖𝖚𝖎𝖈𝖐",
    "€‚ƒ„…†‡", "Œœ Šš Ÿ", "\u0301 starts with a combining mark",
)  # fmt: skip

NATO: tuple[str, ...] = (
    "Alfa", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India",
    "Juliett", "Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo",
    "Sierra", "Tango", "Uniform", "Victor", "Whiskey", "X-ray", "Yankee", "Zulu",
)  # fmt: skip
