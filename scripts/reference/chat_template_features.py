#!/usr/bin/env python3
"""Reference outputs for SynprefJinja's feature tests.

Each case is a small template plus the variables it is rendered with. The expected
output comes from transformers' own Jinja environment:
`transformers.utils.chat_template_utils._compile_jinja_template(template).render(**context)`
(transformers 5.24.0, jinja2 3.1.6): an ImmutableSandboxedEnvironment with
trim_blocks=True, lstrip_blocks=True, the loopcontrols extension, transformers' `tojson`,
`raise_exception`, `strftime_now`, `dict` and `namespace`. This is exactly what
`apply_chat_template` renders with; here the variables are passed as they are, without
the message preprocessing apply_chat_template adds (see chat_template_parity.py for that).

A case whose rendering raises records the exception type and message instead. Cases
marked `unsupported` are constructs Synpref deliberately refuses (it must raise
JinjaError.unsupported instead of printing something).

Usage: /work/venv/bin/python scripts/reference/chat_template_features.py
Writes Tests/SynprefJinjaTests/Fixtures/features.json.
"""

import json
import pathlib
import re

import jinja2
import transformers
from transformers.utils.chat_template_utils import _compile_jinja_template

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/SynprefJinjaTests/Fixtures/features.json"

MSGS = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "What is 2+2?"},
]

# (name, template, context[, flags])
CASES = []


def case(name, template, context=None, **flags):
    CASES.append((name, template, context or {}, flags))


# --- whitespace control, trim_blocks, lstrip_blocks -----------------------------------
case("ws_trim_lstrip", "  {% if true %}\n  yes\n  {% endif %}\n  {{ 'v' }}\n  {# c #}\nend")
case("ws_minus_both", "a  {%- if true -%}  b  {%- endif -%}  c")
case("ws_var_minus", "x   {{- 'y' -}}   z\n\n{{ 'w' }}")
case("ws_plus_disables_lstrip", "  {%+ if true %}x{% endif %}\n")
case("ws_plus_end_disables_trim", "{% if true +%}\nx{% endif %}")
case("ws_text_before_tag_same_line", "a {% if true %}b{% endif %} c\n")
case("ws_comment_lstrip_trim", "line1\n    {# a comment #}\nline2")
case("ws_comment_minus", "a  {#- c -#}  b")
case("ws_tabs_before_tag", "\t\t{% for i in [1,2] %}\n\t{{ i }}\n\t\t{% endfor %}\n")
case("ws_trailing_newline_removed", "x\n")
case("ws_two_trailing_newlines", "x\n\n")
case("ws_crlf_template", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc\r\n")
case("ws_cr_only_template", "a\r{% if true %}\rb\r{% endif %}\r")
case("ws_nbsp_before_tag", "a\n\u00a0\u3000{% if true %}b{% endif %}")
case("ws_var_no_trim", "{{ 'a' }}\nb")
case("ws_block_end_at_eof", "{% if true %}a{% endif %}")
case("ws_minus_strips_newlines", "a\n\n   \n{%- if true %}b{% endif %}")
case("ws_var_minus_end_newline_then_tag", "{{ 'a' -}}\n   {% if true %}b{% endif %}")
case("ws_raw", "{% raw %}{{ x }} {% if %}{% endraw %}")
case("ws_raw_lstrip", "a\n  {% raw %}\n  {{ x }}\n  {% endraw %}\nb")
case("ws_raw_minus", "a  {%- raw -%}  {{ x }}  {%- endraw -%}  b")
case("ws_lstrip_not_for_var", "  {{ 'a' }}\n")
case("ws_lstrip_after_var_same_line", "{{ 'a' }}  {% if true %}b{% endif %}")
case("ws_consecutive_tags", "{% set a = 1 %}\n{% set b = 2 %}\n{{ a }}{{ b }}\n")
case("ws_chat_like", "{%- for m in messages %}\n    {{- m.role + ': ' + m.content }}\n    {%- if not loop.last %}\n        {{- '\\n' }}\n    {%- endif %}\n{%- endfor %}\n", {"messages": MSGS})

# --- literals ------------------------------------------------------------------------
case("lit_strings", r"""{{ 'a\nb' }}|{{ "t\tq" }}|{{ 'it\'s' }}|{{ "say \"hi\"" }}|{{ '\x41\u00e9\U0001F600' }}|{{ '\101' }}|{{ 'back\\slash' }}|{{ '\d' }}|{{ 'a' 'b' }}""")
case("lit_numbers", "{{ 42 }}|{{ 1_000 }}|{{ 0x1F }}|{{ 0o17 }}|{{ 0b101 }}|{{ 1.5 }}|{{ 1e3 }}|{{ 1.5e-3 }}|{{ 2E2 }}|{{ 0 }}|{{ 00 }}")
case("lit_leading_zero_error", "{{ 007 }}")
case("lit_consts", "{{ true }}|{{ True }}|{{ false }}|{{ none }}|{{ None }}")
case("lit_containers", "{{ [1, 'a', none, true, 1.0] }}|{{ {'a': 1, 'b': [2]} }}|{{ (1, 2) }}|{{ (1,) }}|{{ () }}|{{ [] }}|{{ {} }}|{{ [1, 2,] }}")
case("lit_nested_dict_in_var", "{{ {'a': {'b': {'c': 1}}} }}")

# --- printing (str / repr) -------------------------------------------------------------
case("print_floats", "{{ 1.0 }}|{{ 1e16 }}|{{ 1e15 }}|{{ 1e-5 }}|{{ 0.0001 }}|{{ 0.1 + 0.2 }}|{{ 1/3 }}|{{ -0.0 }}|{{ 2.5e-10 }}|{{ 123456789.125 }}|{{ 1e22 }}|{{ 5e-324 }}")
case("print_reprs", """{{ ["it's", 'say "hi"', 'both \\' and "', 'tab\\there', 'nl\\n', 'é', '\\u200b', '\\x00', '\\x7f', '\\\\'] }}""")
case("print_nested_repr", "{{ {'k': ('a', [1.5, none]), 2: true} }}")
case("print_namespace", "{% set ns = namespace(a=1, b='x') %}{{ ns }}")
case("print_views", "{{ {'a': 1}.items() }}|{{ {'a': 1}.keys() }}|{{ {'a': 1}.values() }}|{{ range(3) }}|{{ range(1, 10, 2) }}")
case("print_loop", "{% for i in 'ab' %}{{ loop }}{% endfor %}")
case("print_tuple_output", "{{ 1, 'a' }}")
case("print_undefined", "[{{ nothing }}][{{ nothing is defined }}]")

# --- variables and context ------------------------------------------------------------
case("ctx_messages_attr_and_item", "{{ messages[0].role }}/{{ messages[0]['content'] }}/{{ messages[-1].content }}", {"messages": MSGS})
case("ctx_missing_key_prints_empty", "[{{ messages[0].missing }}]", {"messages": MSGS})
case("ctx_missing_index_prints_empty", "[{{ messages[10] }}]", {"messages": MSGS})
case("ctx_dict_method_shadows_key", "{{ d.items is defined }}|{{ d['items'] }}", {"d": {"items": "value"}})
case("ctx_int_subscript_dot", "{{ xs.0 }}{{ xs.1 }}", {"xs": ["a", "b"]})
case("ctx_unicode_content", "{{ m }}|{{ m|length }}|{{ m[0] }}|{{ m[-1] }}", {"m": "héllo 🙂 e\u0301 中文"})

# --- operators --------------------------------------------------------------------------
case("op_arith", "{{ 1 + 2 }}|{{ 1 + 2.0 }}|{{ 7 - 10 }}|{{ 3 * 4 }}|{{ 2.5 * 2 }}|{{ 10 / 4 }}|{{ 4 / 2 }}|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ 7.5 // 2 }}|{{ -7.5 // 2 }}|{{ 7 % 3 }}|{{ -7 % 3 }}|{{ 7 % -3 }}|{{ 7.5 % 2 }}|{{ -7.5 % 2 }}|{{ 2 ** 10 }}|{{ 2 ** -1 }}|{{ 2.0 ** 3 }}")
case("op_pow_left_assoc", "{{ 2 ** 3 ** 2 }}|{{ -2 ** 2 }}|{{ -2|abs }}")
case("op_bool_arith", "{{ true + 1 }}|{{ true * 3 }}|{{ false - 1 }}")
case("op_string_ops", "{{ 'ab' + 'cd' }}|{{ 'ab' * 3 }}|{{ 2 * 'x' }}|{{ 'a' ~ 1 ~ none ~ nothing ~ true ~ 1.5 }}|{{ [1] + [2] }}|{{ [0] * 3 }}|{{ (1,) + (2,) }}")
case("op_compare", "{{ 1 < 2 }}|{{ 2 <= 2 }}|{{ 3 > 2 > 1 }}|{{ 1 < 2 > 3 }}|{{ 'a' < 'b' }}|{{ 'B' < 'a' }}|{{ [1, 2] < [1, 3] }}|{{ 1 == 1.0 }}|{{ true == 1 }}|{{ (1, 2) == [1, 2] }}|{{ 'a' != 'b' }}|{{ none == none }}|{{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1} }}")
case("op_in", "{{ 'a' in 'cat' }}|{{ 'x' not in 'cat' }}|{{ 2 in [1, 2] }}|{{ 'k' in {'k': 1} }}|{{ 1.0 in [1] }}|{{ 'z' in nothing }}|{{ (1, 2) in [(1, 2)] }}|{{ 3 in range(5) }}")
case("op_and_or_values", "{{ 0 or 'x' }}|{{ 'a' and 'b' }}|{{ '' and 'b' }}|{{ none or [] }}|{{ not 0 }}|{{ not 'a' }}|{{ not none and 1 }}")
case("op_condexpr", "{{ 'y' if true else 'n' }}|{{ 'y' if false else 'n' }}|[{{ 'y' if false }}]|{{ 'a' if 0 else 'b' if 1 else 'c' }}")
case("op_precedence", "{{ 1 + 2 * 3 }}|{{ (1 + 2) * 3 }}|{{ 'a' ~ (1 + 2) }}|{{ 2 * 3 ~ 'x' }}|{{ not 1 == 2 }}|{{ [1,2,3]|length - 1 }}|{{ -([1,2]|length) }}|{{ -2.5|abs }}")
case("op_neg_binds_before_filter", "{{ -[1,2]|length }}")
case("op_concat_binds_tighter_than_plus", "{{ 'a' ~ 1 + 2 }}")
case("op_truthiness", "{% for v in [0, 1, 0.0, '', 'a', [], [0], {}, {'a': 1}, none, true, false] %}{{ 'T' if v else 'F' }}{% endfor %}")

# --- if / for / set / scoping ----------------------------------------------------------
case("if_elif_else", "{% for x in [1, 2, 3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %};{% endfor %}")
case("for_loop_vars", "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}")
case("for_prev_next", "{% for x in [1, 2, 3] %}[{{ loop.previtem }},{{ loop.nextitem }}]{% endfor %}")
case("for_cycle_changed", "{% for x in [1, 1, 2, 3, 3] %}{{ loop.cycle('a', 'b', 'c') }}{{ loop.changed(x) }} {% endfor %}")
case("for_depth", "{% for x in [1] %}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}")
case("for_else", "{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in [1] %}x{% else %}empty{% endfor %}")
case("for_filter", "{% for x in range(10) if x is odd %}{{ x }}({{ loop.index }}/{{ loop.length }}) {% endfor %}")
case("for_filter_all_rejected", "{% for x in [1, 2] if x > 5 %}{{ x }}{% else %}none{% endfor %}")
case("for_unpack_items", "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}")
case("for_unpack_items_filter", "{% for k, v in {'b': 1, 'a': 2}|items %}{{ k }}={{ v }};{% endfor %}")
case("for_unpack_strings", "{% for a, b in ['ab', 'cd'] %}{{ b }}{{ a }}{% endfor %}")
case("for_over_dict", "{% for k in {'x': 1, 'y': 2} %}{{ k }}{% endfor %}")
case("for_over_string", "{% for c in 'héllo' %}[{{ c }}]{% endfor %}")
case("for_over_undefined", "[{% for x in nothing %}{{ x }}{% endfor %}]")
case("for_break_continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}")
case("for_nested_loop_var", "{% for i in [1, 2] %}{% for j in [1, 2, 3] %}{{ loop.index }}{% endfor %}:{{ loop.index }} {% endfor %}")
case("for_reverse_slice", "{% for m in messages[::-1] %}{{ m.role }},{% endfor %}", {"messages": MSGS})
case("for_loop_reads_outer", "{% set x = 0 %}{% for i in [1, 2] %}[{{ x }}]{% set x = i %}{% endfor %}[{{ x }}]")
case("for_loop_set_per_iteration", "{% for i in [3, 4] %}{% if loop.first %}{% set q = 9 %}{% endif %}[{{ q }}]{% endfor %}")
case("for_loop_conditional_set_outer", "{% set x = 0 %}{% for i in [1, 2] %}{% if i == 1 %}{% set x = 7 %}{% endif %}[{{ x }}]{% endfor %}[{{ x }}]")
case("set_if_leaks", "{% if true %}{% set x = 5 %}{% endif %}{{ x }}")
case("set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set t = 1, 2 %}{{ t }}")
case("set_block", "{% set s %}block {{ 1 + 1 }}{% endset %}[{{ s }}]{% set u | upper | replace('I', '!') %}hi{% endset %}{{ u }}")
case("set_block_scope", "{% set x %}{% set y = 1 %}a{% endset %}[{{ y }}][{{ x }}]")
case("set_override_context", "{% set messages = messages[1:] %}{{ messages|length }}{{ messages[0].role }}", {"messages": MSGS})
case("namespace_counter", "{% set ns = namespace(n=0, items=[]) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}{% set ns.items = ns.items + [i] %}{% endfor %}{{ ns.n }}{{ ns.items }}{{ ns['n'] }}[{{ ns.missing }}]")
case("namespace_from_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}")
case("namespace_qwen_pattern", "{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}{%- for message in messages[::-1] %}{%- set index = (messages|length - 1) - loop.index0 %}{%- if ns.multi_step_tool and message.role == 'user' %}{%- set ns.multi_step_tool = false %}{%- set ns.last_query_index = index %}{%- endif %}{%- endfor %}{{ ns.last_query_index }}", {"messages": MSGS + [{"role": "assistant", "content": "4"}]})
case("with_block", "{% with a = 1, b = 2 %}{% set y = 3 %}{{ a + b + y }}{% endwith %}[{{ a }}][{{ y }}]")
case("filter_block", "{% filter upper %}hello {{ 'x' }}{% endfilter %}|{% filter replace('a', 'o') | title %}a cat{% endfilter %}")
case("generation_block", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}|{% endfor %}", {"messages": MSGS})
case("print_statement", "{% print 'a' %}{% print 1, 2 %}")

# --- macros ---------------------------------------------------------------------------
case("macro_defaults", "{% macro f(a, b=2, c='x') %}{{ a }}-{{ b }}-{{ c }}{% endmacro %}{{ f(1) }}|{{ f(1, 3) }}|{{ f(c=5, a=0) }}|{{ f() }}")
case("macro_varargs_kwargs", "{% macro f(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ f(1, 2, 3, k='v') }}")
case("macro_caller", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ 1 }}{% endcall %}")
case("macro_caller_args", "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(item) each([1, 2]) %}[{{ item }}]{% endcall %}")
case("macro_late_binding", "{% macro m() %}{{ y }}{% endmacro %}{% set y = 3 %}{{ m() }}")
case("macro_lexical_scope", "{% set y = 1 %}{% macro m() %}{{ y }}{% endmacro %}{% for i in [1] %}{% set y = 2 %}{{ m() }}{% endfor %}")
case("macro_recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}")
case("macro_set_does_not_leak", "{% macro m() %}{% set z = 1 %}{% endmacro %}{{ m() }}[{{ z }}]")
case("macro_render_messages", "{% macro render(m) -%}\n<{{ m.role }}>{{ m.content | trim }}\n{%- endmacro %}{% for m in messages %}{{ render(m) }}{% endfor %}", {"messages": MSGS})
case("macro_too_many_args", "{% macro f(a) %}{{ a }}{% endmacro %}{{ f(1, 2) }}")
case("macro_unknown_kwarg", "{% macro f(a) %}{{ a }}{% endmacro %}{{ f(b=1) }}")

# --- slicing -------------------------------------------------------------------------
case("slice_list", "{{ xs[::-1] }}|{{ xs[1:] }}|{{ xs[:-1] }}|{{ xs[::2] }}|{{ xs[-2:] }}|{{ xs[5:] }}|{{ xs[1:3] }}|{{ xs[::-2] }}|{{ xs[3:0:-1] }}|{{ xs[-100:100] }}", {"xs": [0, 1, 2, 3, 4]})
case("slice_string", "{{ s[::-1] }}|{{ s[1:4] }}|{{ s[-3:] }}|{{ s[:0] }}", {"s": "héllo 🙂 wörld"})
case("slice_tuple_range", "{{ (1, 2, 3)[1:] }}|{{ range(10)[2:5]|list }}|{{ range(10)[::3]|list }}")
case("slice_none_bounds", "{{ xs[none:2] }}|{{ xs[1:none] }}", {"xs": [1, 2, 3]})

# --- string methods ---------------------------------------------------------------------
case("str_split", "{{ 'a b  c'.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a,b,c'.split(',', 1) }}|{{ '  x  y '.split(none, 1) }}|{{ 'a<think>b</think>c'.split('</think>') }}|{{ ''.split(',') }}|{{ ''.split() }}|{{ 'a b c'.rsplit(' ', 1) }}|{{ 'a  b c '.rsplit(none, 1) }}|{{ 'x'.split(sep='x') }}")
case("str_strip", "[{{ '  a  '.strip() }}][{{ 'xxaxx'.strip('x') }}][{{ '\\n\\na\\n'.lstrip('\\n') }}][{{ '\\n\\na\\n\\n'.rstrip('\\n') }}][{{ ' \\t\\u00a0a\\u3000'.strip() }}][{{ 'abcba'.strip('ab') }}]")
case("str_starts_ends", "{{ 'hello'.startswith('he') }}{{ 'hello'.endswith('lo') }}{{ 'hello'.startswith(('x', 'h')) }}{{ 'hello'.startswith('l', 2) }}{{ 'hello'.endswith('') }}{{ ''.startswith('') }}{{ 'e\\u0301'.startswith('e') }}")
case("str_case", "{{ 'hello world'.upper() }}|{{ 'HeLLo'.lower() }}|{{ 'hello wORLD-x'.title() }}|{{ 'hELLO'.capitalize() }}|{{ 'straße'.upper() }}|{{ 'ΣΑΣ'.lower() }}|{{ 'ǆ x'.title() }}|{{ 'aBc'.swapcase() }}|{{ 'they\\'re bill\\'s'.title() }}")
case("str_replace", "{{ 'aaa'.replace('a', 'b') }}|{{ 'aaa'.replace('a', 'b', 2) }}|{{ 'ab'.replace('', '-') }}|{{ 'héé'.replace('é', 'e') }}")
case("str_find", "{{ 'hello'.find('l') }}|{{ 'hello'.rfind('l') }}|{{ 'hello'.find('z') }}|{{ 'héllo'.find('l') }}|{{ 'hello'.index('e') }}|{{ 'hello'.count('l') }}|{{ 'hello'.find('l', 3) }}|{{ ''.count('') }}")
case("str_join", "{{ ', '.join(['a', 'b']) }}|{{ ''.join('abc') }}|{{ '-'.join(('x', 'y')) }}")
case("str_format", "{{ '{} and {}'.format('a', 1) }}|{{ '{1}{0}'.format('a', 'b') }}|{{ '{name}!'.format(name='x') }}|{{ '{:>5}|{:<5}|{:^5}'.format('a', 'b', 'c') }}|{{ '{:.2f}'.format(3.14159) }}|{{ '{:05d}'.format(42) }}|{{ '{{literal}}'.format() }}|{{ '{!r}'.format('q') }}|{{ '{:+d}'.format(5) }}|{{ '{}'.format(1.0) }}|{{ '{:e}'.format(12345.678) }}|{{ '{:.1%}'.format(0.256) }}")
case("str_percent", "{{ '%s-%d' % ('a', 3) }}|{{ '%5.2f' % 3.14159 }}|{{ '%-4s|' % 'ab' }}|{{ '%r' % 'x' }}|{{ '%05d' % -42 }}|{{ '%x %X %o' % (255, 255, 8) }}|{{ '%(a)s' % {'a': 1} }}|{{ '100%%' % () }}|{{ '%s' % [1, 2] }}|{{ '%.3s' % 'abcdef' }}|{{ '%+d' % 3 }}|{{ '%e' % 1234.5 }}|{{ '%g' % 0.0001234 }}")
case("str_pad", "[{{ 'ab'.center(7) }}][{{ 'ab'.center(6, '*') }}][{{ 'ab'.ljust(4, '.') }}][{{ 'ab'.rjust(4) }}][{{ '-42'.zfill(6) }}][{{ 'abc'.center(8) }}]")
case("str_misc", "{{ 'a=b=c'.partition('=') }}|{{ 'a=b=c'.rpartition('=') }}|{{ 'a\\nb\\r\\nc'.splitlines() }}|{{ '123'.isdigit() }}{{ 'abc'.isalpha() }}{{ ' '.isspace() }}{{ 'abc'.islower() }}{{ 'ABC'.isupper() }}{{ 'a1'.isalnum() }}{{ ''.isdigit() }}|{{ 'prefix_x'.removeprefix('prefix_') }}|{{ 'x.txt'.removesuffix('.txt') }}")

# --- filters ---------------------------------------------------------------------------
case("f_length_count", "{{ [1, 2]|length }}|{{ 'héllo'|length }}|{{ {'a': 1}|count }}|{{ nothing|length }}|{{ range(5)|length }}")
case("f_trim", "[{{ '  x  '|trim }}][{{ 'xxaxx'|trim('x') }}][{{ '\\n x \\n'|trim }}]")
case("f_join", "{{ [1, 2, 3]|join(',') }}|{{ ['a', 'b']|join }}|{{ [{'n': 'x'}, {'n': 'y'}]|join(', ', attribute='n') }}|{{ 'abc'|join('-') }}")
case("f_list_first_last", "{{ 'abc'|list }}|{{ [1, 2, 3]|first }}|{{ [1, 2, 3]|last }}|{{ 'abc'|first }}|{{ 'abc'|last }}|[{{ []|first }}]|{{ {'k': 1, 'j': 2}|first }}|{{ (range(3)|list)|last }}")
case("f_default", "{{ nothing|default('a') }}|{{ ''|default('b') }}|{{ ''|default('b', true) }}|{{ none|default('c') }}|{{ none|d('c', boolean=true) }}|{{ 0|default(5, true) }}|{{ 'x'|d }}")
case("f_items", "{{ {'b': 1, 'a': 2}|items|list }}|{{ nothing|items|list }}")
case("f_dictsort", "{{ {'b': 1, 'A': 3, 'a': 2}|dictsort }}|{{ {'b': 1, 'a': 2}|dictsort(by='value', reverse=true) }}|{{ {'b': 1, 'A': 3, 'a': 2}|dictsort(true) }}")
case("f_selectattr", "{{ messages|selectattr('role', 'equalto', 'user')|map(attribute='content')|list }}|{{ messages|rejectattr('role', 'eq', 'user')|list|length }}|{{ messages|selectattr('role', 'in', ['system', 'assistant'])|list|length }}", {"messages": MSGS})
case("f_selectattr_truthy", "{{ xs|selectattr('tools')|list|length }}|{{ xs|rejectattr('tools')|list|length }}", {"xs": [{"tools": [1]}, {"tools": []}, {"name": "x"}]})
case("f_select_reject", "{{ [1, 2, 3, 4]|select('odd')|list }}|{{ [1, 2, 3, 4]|reject('odd')|list }}|{{ [0, 1, '', 'a']|select|list }}|{{ ['a', 'code_interpreter', 'b']|reject('equalto', 'code_interpreter')|join(', ') }}|{{ [1, 5, 10]|select('gt', 3)|list }}|{{ [1, 5, 10]|select('divisibleby', 5)|list }}")
case("f_select_generator_truthy", "{% if []|select %}always{% endif %}|{% if messages|selectattr('role', 'equalto', 'nobody') %}truthy{% endif %}", {"messages": MSGS})
case("f_map", "{{ [1, 2]|map('string')|list }}|{{ ['a', 'b']|map('upper')|join }}|{{ [{'a': {'b': 1}}, {'a': {'b': 2}}]|map(attribute='a.b')|list }}|{{ [{'x': 1}, {}]|map(attribute='x', default=0)|list }}|{{ ['a b', 'c']|map('replace', ' ', '_')|list }}|{{ [[1, 2], [3]]|map('length')|list }}|{{ ['x', 'y']|map(attribute='0')|list }}")
case("f_case", "{{ 'hello world'|upper }}|{{ 'HELLO'|lower }}|{{ 'hello wORLD'|capitalize }}|{{ 'hello wORLD-x (y) [z] <w> {v}'|title }}|{{ \"they're\"|title }}|{{ 'ÉCOLE'|lower }}")
case("f_indent", "[{{ 'a\\nb\\n\\nc'|indent(2) }}][{{ 'a\\nb'|indent(2, true) }}][{{ 'a\\n\\nb'|indent(2, blank=true) }}][{{ ''|indent }}][{{ 'x\\n'|indent(3) }}][{{ 'a\\nb'|indent('> ') }}][{{ 'a\\r\\nb'|indent(1) }}]")
case("f_safe_string", "{{ '<b>'|safe }}|{{ 5|string ~ 'x' }}|{{ ['a']|string }}|{{ none|string }}|{{ '<a href=\"x\">'|e }}|{{ ('<b>'|safe) ~ '<i>' }}|{{ ('<b>'|safe) + '<i>' }}|{{ '<i>' + ('<b>'|safe) }}|{{ '<x>'|escape|length }}")
case("f_int_float", "{{ '42'|int }}|{{ '42.9'|int }}|{{ 'x'|int }}|{{ 'x'|int(7) }}|{{ 3.99|int }}|{{ '0x1A'|int(0, 16) }}|{{ ' 12 '|int }}|{{ '1_000'|int }}|{{ '3.5'|float }}|{{ 'x'|float }}|{{ 2|float }}|{{ '1e3'|float }}|{{ true|int }}|{{ none|int }}|{{ '-7'|int }}")
case("f_abs_round", "{{ -3|abs }}|{{ -2.5|abs }}|{{ 2.5|round }}|{{ 3.5|round }}|{{ 2.675|round(2) }}|{{ 5|round }}|{{ 2.1|round(0, 'ceil') }}|{{ 2.9|round(0, 'floor') }}|{{ 1.23456|round(3) }}|{{ -0.5|round }}|{{ 1234.5678|round(1, 'floor') }}")
case("f_replace", "{{ 'aaa'|replace('a', 'b') }}|{{ 'aaa'|replace('a', 'b', 1) }}|{{ 123|replace('2', 'x') }}|{{ 'a'|replace('', '.') }}")
case("f_reverse_sort_unique", "{{ [3, 1, 2]|reverse|list }}|{{ 'abc'|reverse }}|{{ [3, 1, 2]|sort }}|{{ ['b', 'A', 'a', 'C']|sort }}|{{ ['b', 'A', 'a']|sort(case_sensitive=true) }}|{{ [3, 1, 2]|sort(reverse=true) }}|{{ [{'n': 2}, {'n': 1}]|sort(attribute='n')|map(attribute='n')|list }}|{{ ['b', 'A', 'a', 'b']|unique|list }}|{{ ['b', 'A', 'a']|unique(true)|list }}|{{ [1, 1.0, true, 2]|unique|list }}|{{ {'b': 1, 'a': 2}|sort }}")
case("f_sort_stable", "{{ [{'k': 1, 'v': 'a'}, {'k': 0, 'v': 'b'}, {'k': 1, 'v': 'c'}, {'k': 0, 'v': 'd'}]|sort(attribute='k')|map(attribute='v')|join }}|{{ [{'k': 1, 'v': 'a'}, {'k': 0, 'v': 'b'}, {'k': 1, 'v': 'c'}]|sort(attribute='k', reverse=true)|map(attribute='v')|join }}")
case("f_batch_slice", "{{ [1, 2, 3, 4, 5]|batch(2)|list }}|{{ [1, 2, 3]|batch(2, 'x')|list }}|{{ [1, 2, 3, 4, 5]|slice(2)|list }}|{{ [1, 2, 3, 4]|slice(3, 0)|list }}")
case("f_min_max_sum", "{{ [3, 1, 2]|min }}|{{ [3, 1, 2]|max }}|{{ ['b', 'A', 'c']|min }}|{{ ['b', 'A', 'c']|max(case_sensitive=true) }}|{{ [1, 2, 3]|sum }}|{{ [{'v': 1}, {'v': 2.5}]|sum(attribute='v') }}|{{ [[1], [2]]|sum(start=[]) }}|[{{ []|max }}]")
case("f_center_truncate_wordcount", "[{{ 'ab'|center(6) }}]|{{ 'hello world foo bar'|truncate(9) }}|{{ 'hello world foo bar'|truncate(9, true) }}|{{ 'short'|truncate(10) }}|{{ 'hello world foo'|truncate(12, false, '…', 0) }}|{{ 'one two, three_four'|wordcount }}")
case("f_format", "{{ '%s-%s'|format('a', 'b') }}|{{ '%(x)s'|format(x=1) }}|{{ '%.2f'|format(1.005) }}")
case("f_attr", "[{{ {'a': 1}|attr('a') }}]|{{ {'a': 1}|attr('items') is defined }}|{{ messages|attr('count') is defined }}", {"messages": MSGS})
case("f_capitalize_center_markup", "{{ ('<a>'|safe)|upper }}|{{ ('ab'|safe)|center(4) }}|{{ ('a b'|safe)|title }}")
case("f_chain", "{{ messages|map(attribute='role')|unique|list|join('/')|upper }}", {"messages": MSGS})

# --- tojson (transformers' override) ------------------------------------------------------
case("tojson_basic", "{{ {'a': [1, 2.5, 'é\\n', none, true], 'b': {'c': '\"q\"'}}|tojson }}")
case("tojson_indent", "{{ {'a': [1, {'x': []}], 'b': {}, 'c': 'z'}|tojson(indent=2) }}")
case("tojson_indent4_tool", "{{ tools[0]|tojson(indent=4) }}", {"tools": [{"type": "function", "function": {"name": "get_weather", "description": "Get the weather", "parameters": {"type": "object", "properties": {"city": {"type": "string", "enum": ["Paris", "Zürich"]}, "days": {"type": "integer", "minimum": 1}}, "required": ["city"]}}}]})
case("tojson_positional_is_ensure_ascii", "{{ {'a': 'é'}|tojson(2) }}|{{ 'é😀'|tojson(true) }}|{{ '\\x7f\\x1b'|tojson }}|{{ '\\x7f'|tojson(ensure_ascii=true) }}")
case("tojson_separators_sort", "{{ {'b': 1, 'a': [1, 2]}|tojson(separators=(',', ':')) }}|{{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }}|{{ {'b': 1, 'a': [1]}|tojson(indent=1, separators=(', ', ' = ')) }}")
case("tojson_scalars", "{{ 1.0|tojson }}|{{ 1e16|tojson }}|{{ (1, 2)|tojson }}|{{ 'x'|tojson }}|{{ 5|tojson }}|{{ none|tojson }}|{{ '</script>&'|tojson }}|{{ {1: 'a', true: 'b', none: 'c', 2.5: 'd'}|tojson }}|{{ ('<b>'|safe)|tojson }}")
case("tojson_string_content", "{{ content|tojson }}", {"content": "line1\nline2\t\"quoted\" \\ back \u0000 nul \u2028 ls 中文 🙂"})
case("tojson_indent_zero_and_string", "{{ [1, [2]]|tojson(indent=0) }}|{{ {'a': 1}|tojson(indent='\\t') }}|{{ []|tojson(indent=2) }}")

# --- tests ---------------------------------------------------------------------------
case("tests_types", "{{ x is defined }}{{ x is undefined }}{{ none is none }}{{ 'a' is string }}{{ 1 is number }}{{ true is number }}{{ 1.5 is number }}{{ 1 is integer }}{{ 1.5 is integer }}{{ true is integer }}{{ 1.5 is float }}{{ {} is mapping }}{{ [] is mapping }}")
case("tests_iterable_sequence", "{{ 'a' is iterable }}{{ 1 is iterable }}{{ [] is iterable }}{{ {} is iterable }}{{ x is iterable }}{{ none is iterable }}{{ 'a' is sequence }}{{ {} is sequence }}{{ 1 is sequence }}{{ x is sequence }}{{ (range(3)) is sequence }}")
case("tests_bool", "{{ true is true }}{{ 1 is true }}{{ false is false }}{{ 0 is false }}{{ true is boolean }}{{ 1 is boolean }}{{ none is boolean }}")
case("tests_numbers", "{{ 3 is odd }}{{ 3 is even }}{{ 4 is divisibleby 2 }}{{ 4 is divisibleby(3) }}{{ 2.0 is even }}")
case("tests_compare", "{{ 'a' is eq 'a' }}{{ 'a' is equalto 'b' }}{{ 1 is ne 2 }}{{ 3 is gt 2 }}{{ 3 is ge 3 }}{{ 1 is lt 2 }}{{ 1 is le 0 }}{{ 2 is in [1, 2] }}{{ 2 is greaterthan 1 }}{{ 1 is lessthan 0 }}")
case("tests_not_and_chain", "{{ x is not defined and 1 is not string }}|{{ not x is defined }}|{{ 'a' is string or x }}")
case("tests_case", "{{ 'abc' is lower }}{{ 'ABC' is upper }}{{ 'aBc' is lower }}{{ '123' is lower }}")
case("tests_misc", "{{ none is sameas none }}{{ false is sameas false }}{{ 0 is sameas false }}{{ 'upper' is filter }}{{ 'nope' is filter }}{{ 'odd' is test }}{{ range is callable }}{{ 'x' is callable }}{{ ('<b>'|safe) is escaped }}{{ '<b>' is escaped }}")
case("tests_qwen_content", "{% for m in messages %}{{ m.content is string }}{{ m.content is mapping or m.content is iterable }}{{ m.reasoning_content is defined and m.reasoning_content is not none }};{% endfor %}", {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": [{"type": "text", "text": "b"}]}, {"role": "assistant", "content": "c", "reasoning_content": "r"}, {"role": "tool", "content": {"k": 1}}]})

# --- globals -------------------------------------------------------------------------
case("globals_range", "{{ range(3)|list }}|{{ range(1, 4)|list }}|{{ range(10, 0, -3)|list }}|{{ range(0)|list }}|{% for i in range(2) %}{{ i }}{% endfor %}")
case("globals_dict", "{{ dict(a=1, b='x') }}|{{ dict([('k', 1)]) }}|{{ dict({'a': 1}, b=2) }}")
case("globals_raise_exception", "{% if messages[0].role != 'user' %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}", {"messages": MSGS})

# --- undefined and sandbox semantics -------------------------------------------------------
case("undef_attr_error", "{{ nothing.attr }}")
case("undef_item_error", "{{ nothing['k'] }}")
case("undef_add_error", "{{ nothing + 1 }}")
case("undef_str_add_error", "{{ 'a' + nothing }}")
case("undef_call_error", "{{ nothing() }}")
case("undef_missing_key_then_attr", "{{ messages[0].missing.startswith('x') }}", {"messages": MSGS})
case("undef_iterate_and_length", "[{% for x in nothing %}x{% endfor %}]{{ nothing|length }}{{ nothing|list }}{{ nothing is iterable }}")
case("undef_compare", "{{ nothing == nothing }}{{ nothing == none }}{{ nothing != 1 }}")
case("undef_lt_error", "{{ nothing < 1 }}")
case("undef_tojson_error", "{{ nothing|tojson }}")
case("undef_in_string_error", "{{ nothing in 'abc' }}")
case("undef_inline_if_no_else", "[{{ ('a' if false).upper }}]")
case("sandbox_list_append", "{% set xs = [1] %}{{ xs.append(2) }}")
case("sandbox_dict_update", "{% set d = {} %}{{ d.update({'a': 1}) }}")
case("sandbox_unsafe_attr_prints_empty", "[{{ 'abc'.__class__ }}]")
case("sandbox_namespace_underscore", "{% set ns = namespace() %}{% set ns._x = 1 %}")
case("sandbox_namespace_underscore_init", "{% set ns = namespace(_x=1) %}")
case("sandbox_assign_non_namespace", "{% set ns = 5 %}{% set ns.x = 1 %}")
case("sandbox_range_too_big", "{{ range(100001)|length }}")

# --- runtime type errors ---------------------------------------------------------------
case("err_str_plus_int", "{{ 'a' + 1 }}")
case("err_in_none", "{{ 'x' in none }}")
case("err_none_content_startswith", "{{ m.content.startswith('a') }}", {"m": {"role": "user", "content": None}})
case("err_length_of_generator", "{{ [1, 2]|select|length }}")
case("err_items_non_mapping", "{{ [1]|items|list }}")
case("err_unpack_count", "{% for a, b in [[1]] %}{{ b }}{% endfor %}")
case("err_div_zero", "{{ 1 / 0 }}")
case("err_iterate_int", "{% for x in 5 %}{% endfor %}")
case("err_int_call", "{{ 5() }}")
case("err_compare_types", "{{ 1 < 'a' }}")
case("err_sort_mixed", "{{ [1, 'a']|sort }}")
case("err_join_needs_str", "{{ ', '.join([1, 2]) }}")
case("err_percent_args", "{{ '%s %s' % ('a',) }}")
case("err_slice_step_zero", "{{ [1, 2][::0] }}")
case("err_raise_custom", "{{ raise_exception('Only user and assistant roles are supported!') }}")

# --- syntax errors ---------------------------------------------------------------------
case("syntax_unclosed_for", "{% for i in [1] %}")
case("syntax_unknown_tag", "{% if x %}{% endfor %}")
case("syntax_bad_expression", "{{ 1 + }}")
case("syntax_assign_const", "{% set true = 1 %}")
case("syntax_unknown_filter", "{{ x|nosuch }}")
case("syntax_unknown_test", "{{ x is nosuch }}")
case("syntax_break_outside_loop", "{% break %}")
case("syntax_unclosed_comment", "a {# b")
case("syntax_unclosed_string", "{{ 'abc }}")
case("syntax_unbalanced", "{{ (1 + 2 }}")
case("syntax_bad_char", "{{ 1 & 2 }}")
case("syntax_missing_endraw", "{% raw %}abc")
case("syntax_nondefault_after_default", "{% macro f(a=1, b) %}{% endmacro %}")

# --- assorted edge cases ---------------------------------------------------------------
case("edge_dup_dict_keys", "{{ {'a': 1, 'b': 2, 'a': 3} }}")
case("edge_dict_get", "{{ d.get('k') }}|{{ d.get('missing', 'x') }}|{{ d.get('missing') }}|{{ d.get('missing') is none }}", {"d": {"k": [1]}})
case("edge_number_formatting", "{{ [1, 2, 3]|sum / 2 }}|{{ 'x' ~ 0.1 }}|{{ 10 // 3 * 3 }}|{{ '%.1f'|format(2.25) }}|{{ 1e100 }}|{{ 123456789012345678 }}|{{ -0 }}|{{ 0.0 == -0.0 }}|{{ 2 ** 62 }}|{{ 1.5e300 * 1e10 }}|{{ 7 / 7 }}")
case("edge_selectattr_first", "{{ (messages|selectattr('role', 'equalto', 'user')|first).content }}|{{ (messages|selectattr('role', 'equalto', 'user')|list)[-1].content }}|{{ messages|selectattr('role', 'equalto', 'user')|list|length }}", {"messages": MSGS})
case("edge_loop_filter_index", "{% for m in messages if m.role != 'system' %}{{ loop.index }}{{ m.role[0] }}{{ loop.cycle('.', ':') }}{% endfor %}", {"messages": MSGS})
case("edge_content_slice_in", "{{ messages[0].content[:5] }}|{{ '\\n' in messages[0].content }}|{{ messages[1].content[::-1] }}", {"messages": MSGS})
case("edge_default_self", "{% set x = x | default('d') %}{{ x }}{% set y = 'set' %}{% set y = y | default('d') %}{{ y }}")
case("edge_braces_in_strings", "{{ '{{' }}|{{ \"}}\" }}|{{ '{#' }}|{{ '%}' }}|a { b } c")
case("edge_unicode_identifier", "{% set café = 1 %}{{ café }}")
case("edge_none_attr_defined", "{{ none.x is defined }}|{{ (none).x is undefined }}")
case("edge_dict_in_list", "{{ {'a': 1} in [{'a': 1}] }}|{{ [1] in [[1], 2] }}")
case("edge_string_repeat_zero", "[{{ 'a' * 0 }}][{{ 'a' * -1 }}][{{ [1] * 0 }}]")
case("edge_string_compare_unicode", "{{ 'é' > 'z' }}{{ 'Z' < 'a' }}{{ 'ab' < 'abc' }}{{ '' < 'a' }}")
case("edge_multiline_tags", "{% if\n  true\n  and 1 %}\nyes{#\n multi\n line #}\n{% endif %}")
case("edge_call_syntax", "{% macro f(a, b=0) %}{{ a }}+{{ b }}{% endmacro %}{{ f(1,) }}|{{ f(**{'a': 2, 'b': 3}) }}|{{ f(*[4, 5]) }}|{{ f(*[6], **{'b': 7}) }}")
case("edge_postfix_chain", "{{ (1, 2)[0] }}|{{ 'abc'.upper()[0] }}|{{ ['a', 'b']|join|upper }}|{{ 'a b'.split()|length }}")
case("edge_and_or_none", "{{ true and none }}|{{ false or none }}|{{ none and 1 }}|{{ [] or {} }}")
case("edge_reverse_range_first", "{{ range(5)|reverse|list }}|{{ {'b': 1}|items|first }}|{{ 'abc'|reverse|upper }}")
case("edge_nested_namespace_loops", "{% set ns = namespace(s='') %}{% for i in [1, 2] %}{% for j in 'ab' %}{% set ns.s = ns.s ~ i ~ j %}{% endfor %}{% endfor %}{{ ns.s }}")
case("edge_loop_changed_noargs", "{% for i in [1, 2] %}{{ loop.changed() }}{% endfor %}")
case("edge_percent_tuple_arg", "{{ '%s' % ((1, 2),) }}|{{ '%s and %s' % (none, true) }}|{{ '%d%%' % 50 }}|{{ '%i' % 3.9 }}")
case("edge_ws_macro_minus", "{%- macro m(x) -%}\n  [{{ x }}]\n{%- endmacro -%}\n{{ m(1) }}\n{{ m(2) }}\n")
case("edge_ws_set_block_trim", "{% set s %}\n  a\n{% endset %}\n[{{ s }}]")
case("edge_ws_nested_ifs", "<\n{% if true %}\n  {% if true %}\n    x\n  {% endif %}\n{% endif %}\n>")
case("edge_ws_for_inline", "{% for i in [1, 2] %}{{ i }}, {% endfor %}\n")
case("edge_ws_comment_only_line", "a\n{# c #}\nb\n  {#- d #}\nc")
case("edge_ws_minus_comment_end_newlines", "a{# c -#}\n\n  b")
case("edge_undefined_methods_on_missing", "{{ messages[5] is defined }}|{{ messages[0].content is string }}|{{ messages[0]['nope'] is defined }}", {"messages": MSGS})
case("edge_tojson_dict_order", "{{ {'z': 1, 'a': 2, 'm': {'y': 1, 'b': 2}}|tojson }}")
case("edge_int_key_lookup", "{{ d[1] }}|{{ d[1.0] }}|{{ d[true] }}", {"d": {"1": "str-key"}})
case("edge_title_filter_vs_method", "{{ 'hello-world foo_bar'|title }}|{{ 'hello-world foo_bar'.title() }}")
case("edge_join_mixed", "{{ [1, 'a', none, 2.5]|join('|') }}")
case("edge_length_unicode", "{{ '👩‍👩‍👧'|length }}|{{ 'e\u0301'|length }}")
case("edge_strip_unicode_space", "[{{ '\u2003x\u2003'|trim }}][{{ '\u200bx\u200b'|trim }}]")
case("edge_big_int_unsupported", "{{ 2 ** 100 }}", unsupported=True)
case("edge_caller_not_used", "{% macro f() %}x{% endmacro %}{% call f() %}y{% endcall %}")
case("edge_namespace_items_attr", "{% set ns = namespace(items=[1]) %}{{ ns.items }}")
case("edge_compare_list_tuple", "{{ [1, 2] < [1, 2, 0] }}{{ (2,) > (1, 9) }}")
case("edge_float_int_equality", "{{ 0.1 + 0.2 == 0.3 }}{{ 1 == 1.0000000000000002 }}{{ 9007199254740993 == 9007199254740992.0 }}")
case("edge_map_on_dict", "{{ {'a': 1, 'b': 2}|map('upper')|list }}|{{ {'a': 1}|list }}")
case("edge_in_dict_values", "{{ 1 in {'a': 1}.values() }}|{{ 'a' in {'a': 1}.keys() }}|{{ ('a', 1) in {'a': 1}.items() }}")

# --- deliberately unsupported: must be refused, not guessed ------------------------------------
case("unsup_print_generator", "{{ [1]|map('string') }}", unsupported=True)
case("unsup_recursive_loop", "{% for x in [1] recursive %}{{ x }}{% endfor %}", unsupported=True)
case("unsup_include", "{% include 'other.jinja' %}", unsupported=True)
case("unsup_cycler", "{% set c = cycler('a', 'b') %}{{ c.next() }}", unsupported=True)
case("unsup_groupby", "{{ [{'a': 1}]|groupby('a')|list }}", unsupported=True)
case("unsup_markup_method", "{{ ('<b>'|safe).replace('b', '<i>') }}", unsupported=True)
case("unsup_casefold", "{{ 'ß'.casefold() }}", unsupported=True)


def main():
    env_check = _compile_jinja_template("{{ 1 }}").environment
    assert env_check.trim_blocks and env_check.lstrip_blocks
    results = []
    for name, template, context, flags in CASES:
        entry = {"name": name, "template": template, "context": context}
        if flags.get("unsupported"):
            entry["unsupported"] = True
        try:
            text = _compile_jinja_template(template).render(**context)
            # Memory addresses (what jinja2 prints for generators) differ run to run.
            entry["expected"] = re.sub(r"0x[0-9a-f]+", "0x...", text) if flags.get("unsupported") else text
        except Exception as e:  # noqa: BLE001 - the reference outcome is the exception
            entry["error"] = {"type": type(e).__name__, "message": str(e)}
        results.append(entry)
    names = [r["name"] for r in results]
    assert len(names) == len(set(names)), "duplicate case names"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "generator": "scripts/reference/chat_template_features.py",
        "transformers": transformers.__version__,
        "jinja2": jinja2.__version__,
        "cases": results,
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    errors = sum(1 for r in results if "error" in r)
    print(f"wrote {len(results)} cases ({errors} expected errors) to {OUT}")


if __name__ == "__main__":
    main()
