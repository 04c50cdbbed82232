#!/usr/bin/env python3
"""Lists Apache Kafka's broker and topic config definitions from Kafka's own source.

Usage: kafka-config-defs.py KAFKA_SOURCE_DIR > defs.json

KAFKA_SOURCE_DIR is a checkout (or `git archive`) of github.com/apache/kafka. The script reads the
ConfigDef chains (`.define(...)` / `.defineInternal(...)`) of the classes Kafka merges into its
broker ConfigDef (AbstractKafkaConfig.CONFIG_DEF) and of the topic ConfigDef (LogConfig), resolves
the constants they name (names, defaults, docs) by evaluating the Java constant expressions it can,
and prints one JSON object per config: name, type, default (Kafka's printed form, null when none,
"<unresolved: ...>" when the expression could not be evaluated), min/max, valid values, doc,
internal, and which ConfigDef it came from. samsa's src/config/kafka-broker-configs.ts was
written from this output.
"""
import json
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else '/tmp/ksrc'

# The classes whose ConfigDefs AbstractKafkaConfig.CONFIG_DEF merges (ZkConfigs left out: Kafka 4
# removed ZooKeeper mode), and the ConfigDef variable to read in each (None: every define in it).
BROKER_DEFS = [
    ('RemoteLogManagerConfig', None), ('ServerConfigs', None), ('KRaftConfigs', None),
    ('SocketServerConfigs', None), ('ReplicationConfigs', None), ('GroupCoordinatorConfig', None),
    ('CleanerConfig', None), ('LogConfig', 'SERVER_CONFIG_DEF'), ('ShareGroupConfig', None),
    ('ShareCoordinatorConfig', None), ('TransactionLogConfig', None),
    ('TransactionStateManagerConfig', None), ('QuorumConfig', None), ('MetricConfigs', None),
    ('QuotaConfig', 'CONFIG_DEF'), ('BrokerSecurityConfigs', None), ('DelegationTokenManagerConfigs', None),
    ('PasswordEncoderConfigs', None),
]
# Broker configs that exist only as dynamic configs (DynamicConfig.Broker adds them).
DYNAMIC_ONLY_DEFS = [('QuotaConfig', 'brokerQuotaConfigs(')]
# Topic configs: every define of LogConfig outside SERVER_CONFIG_DEF.
TOPIC_DEFS = [('LogConfig', '!SERVER_CONFIG_DEF')]

IMPORTANCE = {'HIGH', 'MEDIUM', 'LOW'}


def java_files(root):
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith('.java'):
                yield os.path.join(d, f)


def strip_comments(src):
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith('//', i):
            j = src.find('\n', i)
            i = n if j < 0 else j
        elif src.startswith('/*', i):
            j = src.find('*/', i + 2)
            i = n if j < 0 else j + 2
        elif c == '"' or c == "'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == '\\' else 1
            out.append(src[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def read_until(src, i, stops):
    """From i, the text up to the first char in stops at bracket depth 0, outside literals."""
    depth, j, n = 0, i, len(src)
    while j < n:
        c = src[j]
        if c in '"\'':
            k = j + 1
            while k < n and src[k] != c:
                k += 2 if src[k] == '\\' else 1
            j = k + 1
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            if depth == 0 and c in stops:
                return src[i:j], j
            depth -= 1
        elif depth == 0 and c in stops:
            return src[i:j], j
        j += 1
    return src[i:], n


def split_args(text):
    args, i = [], 0
    while i <= len(text):
        part, j = read_until(text, i, ',')
        args.append(part.strip())
        i = j + 1
        if j >= len(text):
            break
    return args


CLASSES = {}  # simple class name -> {'consts': {name: expr}, 'src': text, 'static_imports': [...]}
for path in java_files(ROOT):
    name = os.path.basename(path)[:-5]
    with open(path, encoding='utf-8', errors='replace') as fh:
        src = strip_comments(fh.read())
    consts = {}
    for m in re.finditer(r'\bstatic\s+final\s+[\w<>\[\], .?]+?\s+(\w+)\s*=', src):
        expr, _ = read_until(src, m.end(), ';')
        consts.setdefault(m.group(1), expr.strip())
    # Interface constants (SslConfigs, SaslConfigs are classes; TopicConfig too) are covered above.
    imports = re.findall(r'import\s+static\s+[\w.]+\.(\w+)\.(\w+|\*)\s*;', src)
    entry = CLASSES.setdefault(name, {'consts': {}, 'src': '', 'static_imports': []})
    if not entry['src'] or 'ConfigDef' in src:
        entry['consts'].update(consts)
        entry['src'] = src
        entry['static_imports'] = imports


def topic_synonyms():
    """ServerTopicConfigSynonyms.ALL_TOPIC_CONFIG_SYNONYMS: topic config -> its broker synonyms."""
    src = CLASSES['ServerTopicConfigSynonyms']['src']
    region, _ = read_until(src, src.index('ALL_TOPIC_CONFIG_SYNONYMS ='), ';')
    out = {}
    for m in re.finditer(r'\b(sameNameWithLogPrefix|listWithLogPrefix|singleWithLogPrefix|single|sameNameWithLogCleanerPrefix|singleWithLogCleanerPrefix|sameName)\s*\(', region):
        body, _ = read_until(region, m.end(), ')')
        args = split_args(body)
        topic = Evaluator('TopicConfig').eval(args[0])
        kind = m.group(1)
        names = [json.loads(x) for x in re.findall(r'"[^"]*"', ','.join(args[1:]))]
        prefix = 'log.cleaner.' if 'Cleaner' in kind else 'log.' if 'Log' in kind else ''
        out[topic] = [prefix + n for n in names] if names else [prefix + topic]
    return out


TOKEN = re.compile(r'''\s*(?:("(?:[^"\\]|\\.)*")|('(?:[^'\\]|\\.)')|(\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?[lLdDfF]?)|([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_]\w*)*)|(.))''')


class Unresolved(Exception):
    pass


def unescape(s):
    return json.loads(s) if s.startswith('"') else s


class Evaluator:
    def __init__(self, cls, depth=0):
        self.cls = cls
        self.depth = depth

    def eval(self, expr):
        toks = [t for t in TOKEN.findall(expr)]
        self.toks = [next(x for x in t if x) for t in toks if any(t)]
        self.toks = [t.strip() for t in self.toks if t.strip()]
        self.i = 0
        v = self.additive()
        if self.i != len(self.toks):
            raise Unresolved(expr)
        return v

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def additive(self):
        v = self.multiplicative()
        while self.peek() in ('+', '-'):
            op = self.take()
            w = self.multiplicative()
            if op == '+' and (isinstance(v, str) or isinstance(w, str)):
                v = to_java_str(v) + to_java_str(w)
            elif op == '+':
                v = v + w
            else:
                v = v - w
        return v

    def multiplicative(self):
        v = self.unary()
        while self.peek() in ('*', '/'):
            op = self.take()
            w = self.unary()
            v = v * w if op == '*' else (v // w if isinstance(v, int) and isinstance(w, int) else v / w)
        return v

    def unary(self):
        if self.peek() == '-':
            self.take()
            return -self.unary()
        if self.peek() == '(':
            # A cast such as (int) or (short), or a parenthesised expression.
            if self.i + 2 < len(self.toks) and self.toks[self.i + 1] in ('int', 'long', 'short', 'double') and self.toks[self.i + 2] == ')':
                self.i += 3
                return self.unary()
            self.take()
            v = self.additive()
            if self.take() != ')':
                raise Unresolved('paren')
            return v
        return self.primary()

    def call_args(self):
        if self.take() != '(':
            raise Unresolved('call')
        args = []
        if self.peek() == ')':
            self.take()
            return args
        while True:
            args.append(self.additive())
            t = self.take()
            if t == ')':
                return args
            if t != ',':
                raise Unresolved('args')

    def primary(self):
        t = self.take()
        if t.startswith('"'):
            return unescape(t)
        if re.match(r'\d', t):
            s = t.replace('_', '')
            if s[-1] in 'lL':
                return int(s[:-1])
            if s[-1] in 'dDfF' or '.' in s or 'e' in s.lower():
                return float(s.rstrip('dDfF'))
            return int(s)
        name = re.sub(r'\s+', '', t)
        if name in ('null',):
            return None
        if name in ('true', 'false'):
            return name == 'true'
        special = {
            'Long.MAX_VALUE': 2 ** 63 - 1, 'Long.MIN_VALUE': -2 ** 63, 'Integer.MAX_VALUE': 2 ** 31 - 1,
            'Integer.MIN_VALUE': -2 ** 31, 'Short.MAX_VALUE': 2 ** 15 - 1, 'Double.MAX_VALUE': 1.7976931348623157e308,
        }
        if name in special:
            return special[name]
        if self.peek() == '(':
            args = self.call_args()
            if name in ('Collections.emptyList', 'List.of', 'Arrays.asList', 'Collections.singletonList', 'Utils.mkList', 'Set.of'):
                return [a for a in args]
            if name == 'String.join':
                return args[0].join(to_java_str(a) for a in (args[1] if len(args) == 2 and isinstance(args[1], list) else args[1:]))
            m = re.match(r'TimeUnit\.(\w+)\.to(Millis|Seconds|Minutes)', name)
            if m:
                unit = {'MILLISECONDS': 1, 'SECONDS': 1000, 'MINUTES': 60000, 'HOURS': 3600000, 'DAYS': 86400000}[m.group(1)]
                to = {'Millis': 1, 'Seconds': 1000, 'Minutes': 60000}[m.group(2)]
                return args[0] * unit // to
            if name in ('Math.max', 'Math.min'):
                return (max if name == 'Math.max' else min)(args)
            if name.endswith('serverSynonym'):
                return SYNONYMS[args[0]][0]
            if name.endswith('.name') or name.endswith('.toString'):
                return name.split('.')[-2]
            raise Unresolved(name + '()')
        while self.peek() == '.':
            self.take()
            name += '.' + self.take()
            if self.peek() == '(':
                self.call_args()
        if name.endswith('.name') or name.endswith('.id'):
            base = name.rsplit('.', 1)[0]
            if base.split('.')[-1].isupper():
                return base.split('.')[-1]
        return resolve(name, self.cls, self.depth)


def to_java_str(v):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, float):
        return java_double(v)
    if isinstance(v, list):
        return ','.join(to_java_str(x) for x in v)
    return str(v)


def java_double(x):
    if x == int(x) and abs(x) < 1e7:
        return f'{int(x)}.0'
    r = repr(x)
    if 'e' in r:
        m, e = r.split('e')
        if '.' not in m:
            m += '.0'
        return f'{m}E{int(e)}'
    return r


def resolve(name, cls, depth):
    if depth > 30:
        raise Unresolved(name)
    parts = name.split('.')
    if len(parts) >= 2 and parts[-2] in CLASSES and parts[-1] in CLASSES[parts[-2]]['consts']:
        return Evaluator(parts[-2], depth + 1).eval(CLASSES[parts[-2]]['consts'][parts[-1]])
    if len(parts) == 1:
        here = CLASSES.get(cls, {}).get('consts', {})
        if name in here:
            return Evaluator(cls, depth + 1).eval(here[name])
        for owner, member in CLASSES.get(cls, {}).get('static_imports', []):
            if owner in CLASSES and (member == name or member == '*') and name in CLASSES[owner]['consts']:
                return Evaluator(owner, depth + 1).eval(CLASSES[owner]['consts'][name])
    raise Unresolved(name)


def value_or_marker(expr, cls):
    try:
        return Evaluator(cls).eval(expr), None
    except (Unresolved, IndexError, TypeError, ValueError, ZeroDivisionError, KeyError, StopIteration) as e:
        return None, f'<unresolved: {expr.strip()[:80]}>'


def printed_default(v, typ):
    if v is None:
        return None
    if typ == 'LIST':
        return ','.join(to_java_str(x) for x in v) if isinstance(v, list) else to_java_str(v)
    if typ == 'DOUBLE':
        return java_double(float(v))
    if typ == 'BOOLEAN':
        return 'true' if v else 'false'
    return to_java_str(v)


def parse_validator(text, cls):
    text = text.strip()
    out = {}
    m = re.match(r'(?:ConfigDef\.)?(?:Range\.)?(atLeast|between|atMost)\s*\((.*)\)$', text, re.S)
    if m:
        args = [value_or_marker(a, cls)[0] for a in split_args(m.group(2))]
        if m.group(1) == 'atLeast':
            out['min'] = args[0]
        elif m.group(1) == 'atMost':
            out['max'] = args[0]
        else:
            out['min'], out['max'] = args[0], args[1]
        return out
    m = re.match(r'(?:ConfigDef\.)?(?:ValidString|ValidList|CaseInsensitiveValidString)?\.?in\s*\((.*)\)$', text, re.S)
    if m:
        vals = [value_or_marker(a, cls)[0] for a in split_args(m.group(1))]
        if all(isinstance(v, str) for v in vals):
            out['validValues'] = vals
            if 'CaseInsensitive' in text:
                out['caseInsensitive'] = True
        else:
            out['validator'] = text[:120]
        return out
    out['validator'] = text[:120]
    return out


def defines(cls, var):
    src = CLASSES[cls]['src']
    if var is not None and var.startswith('!'):
        m = re.search(r'\b' + var[1:] + r'\s*=\s*new\s+\w+\s*\(\s*\)', src)
        _, end = read_until(src, m.start(), ';')
        region = src[:m.start()] + src[end:]
    elif var is not None and var.endswith('('):
        m = re.search(r'\b' + re.escape(var), src)
        region, _ = read_until(src, m.start(), ';')
    elif var is not None:
        m = re.search(r'\b' + var + r'\s*=\s*new\s+\w+\s*\(\s*\)', src)
        if not m:
            raise SystemExit(f'{cls}.{var} not found')
        region, _ = read_until(src, m.start(), ';')
    else:
        region = src
    for m in re.finditer(r'\.(define|defineInternal)\s*\(', region):
        body, _ = read_until(region, m.end(), ')')
        args = split_args(body)
        name, _ = value_or_marker(args[0], cls)
        if not isinstance(name, str):
            continue
        typ = re.sub(r'.*\.', '', args[1])
        rest = args[2:]
        d = {'name': name, 'type': typ, 'source': cls, 'internal': m.group(1) == 'defineInternal'}
        if rest and re.sub(r'.*\.', '', rest[0]) in IMPORTANCE:
            d['default'] = None
            d['noDefault'] = True
            doc_expr = rest[1] if len(rest) > 1 else '""'
        else:
            v, marker = value_or_marker(rest[0], cls)
            d['default'] = marker if marker else printed_default(v, typ)
            if len(rest) > 1 and re.sub(r'.*\.', '', rest[1]) in IMPORTANCE:
                doc_expr = rest[2] if len(rest) > 2 else '""'
            else:
                d.update(parse_validator(rest[1], cls))
                doc_expr = rest[3] if len(rest) > 3 else '""'
        doc, marker = value_or_marker(doc_expr, cls)
        d['doc'] = doc if isinstance(doc, str) else ''
        yield d


SYNONYMS = topic_synonyms()


def main():
    out = {'broker': [], 'topic': [], 'topicSynonyms': SYNONYMS}
    seen = set()
    for cls, var in BROKER_DEFS:
        for d in defines(cls, var):
            if d['name'] not in seen:
                seen.add(d['name'])
                out['broker'].append(d)
    for cls, var in DYNAMIC_ONLY_DEFS:
        for d in defines(cls, var):
            d['dynamicOnly'] = True
            out['broker'].append(d)
    for cls, var in TOPIC_DEFS:
        out['topic'] = list(defines(cls, var))
    json.dump(out, sys.stdout, indent=1)


main()
