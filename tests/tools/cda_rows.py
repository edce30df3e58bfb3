#!/usr/bin/env python3
"""tests/tools/cda_rows.py — the rows a CNAM-HR document shows, as TSV.

  cda_rows.py DOC.xml [PERSON]

Prints one line per narrative row, in document order, in the format of the
fixtures' EXPECTED-docs.tsv (without header):

  person  section  h  date  code  quantity  label

section is MED, VAC, DM, HOSP, ACTE, RAD or BIO (found by the section's LOINC
code); code comes from the narrative (acts) or from the coded entry the row's
content ID is referenced by (drugs, devices, stays); quantity for MED and DM.
It also checks what a reader relies on and exits 1 when it does not hold:
every row has exactly one entry referencing its content ID, and every
reference points at an ID of the document. Standard library only.
"""
import sys
import xml.etree.ElementTree as ET

NS = {'h': 'urn:hl7-org:v3'}
H = '{urn:hl7-org:v3}'
OID = {'MED': '1.2.250.1.215.200.1.1.1', 'VAC': '1.2.250.1.215.200.1.1.1', 'DM': '1.2.250.1.215.200.2.1'}


def text(el):
    return ''.join(el.itertext()).strip() if el is not None else ''


def section_kind(sec):
    code = sec.find('h:code', NS)
    if code is None:
        return None
    c = code.get('code')
    if c == '29554-3':
        tr = code.find('h:translation', NS)
        return {'67803-7': 'ACTE', '18726-0': 'RAD', '26436-6': 'BIO'}.get(tr.get('code') if tr is not None else '')
    return {'10160-0': 'MED', '11369-6': 'VAC', '46264-8': 'DM', '46240-8': 'HOSP'}.get(c)


def main():
    doc = ET.parse(sys.argv[1]).getroot()
    person = sys.argv[2] if len(sys.argv) > 2 else '-'
    ids = {el.get('ID') for el in doc.iter() if el.get('ID')}
    ok = True
    for ref in doc.iter(H + 'reference'):
        v = ref.get('value')
        if v is None or not v.startswith('#') or v[1:] not in ids:
            print('cda_rows: reference %r resolves to nothing' % v, file=sys.stderr)
            ok = False
    out = []
    for sec in doc.iter(H + 'section'):
        kind = section_kind(sec)
        if kind is None:
            continue
        entries = sec.findall('h:entry', NS)
        by_ref = {}
        for e in entries:
            for ref in e.iter(H + 'reference'):
                by_ref.setdefault(ref.get('value'), set()).add(id(e))
        ent_of = {id(e): e for e in entries}
        for tr in sec.findall('h:text/h:table/h:tbody/h:tr', NS):
            td = tr.findall('h:td', NS)
            content = tr.find('.//h:content', NS)
            cid = content.get('ID') if content is not None else None
            owners = by_ref.get('#' + cid, set()) if cid else set()
            if len(owners) != 1:
                print('cda_rows: %s row %s has %d entries' % (kind, cid, len(owners)), file=sys.stderr)
                ok = False
                continue
            entry = ent_of[owners.pop()]
            if kind == 'HOSP':
                q = entry.find('.//h:qualifier/h:value', NS)
                row = ('', text(td[0]), q.get('code') if q is not None else '', '', text(td[1]))
            elif kind in ('MED', 'VAC', 'DM'):
                code = ''
                for t in entry.iter(H + 'translation'):
                    if t.get('codeSystem') == OID[kind]:
                        code = t.get('code')
                qty = text(td[-1]) if kind in ('MED', 'DM') else ''
                row = (text(td[0]), text(td[1]), code, qty, text(td[2]))
            else:
                row = (text(td[0]), text(td[1]), text(td[2]), '', text(td[3]))
            out.append((person, kind) + row)
        if not sec.findall('h:text/h:table', NS) and len(entries) != 1:
            print('cda_rows: empty %s section with %d entries' % (kind, len(entries)), file=sys.stderr)
            ok = False
    for r in out:
        print('\t'.join(r))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
