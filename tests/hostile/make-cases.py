#!/usr/bin/env python3
"""tests/hostile/make-cases.py — writes the hostile batches of tests/hostile/.

  make-cases.py                 rewrites every committed case under tests/hostile/
  make-cases.py --check         exits 1 when a committed case differs from what
                                this script writes (the fixtures are its output)
  make-cases.py --large DIR     writes the cases made at test time into DIR, never
                                committed: the large ones (a 10 MB field, a line of
                                100,000 fields, a line per processing month of two
                                centuries) and those git cannot hold (a named pipe,
                                a directory where a file is expected)

Every case starts from BASE, a small valid batch (made up: 4 persons, every
file), applies one defect and writes the batch, its manifest (right counts and
digests unless the case is about them) and EXPECTED, read by
tests/cli/t0400-hostile.sh. EXPECTED lines (tab-separated):

  args     ARGS...                     extra arguments of `dmpremb ingest`
  before   CASE                        a case ingested (exit 0) before this one
  exit     N                           exit status of the ingest
  message  TEXT                        a substring of stderr (refusals)
  counts   FILE READ LOADED FILTERED REJECTED DUPLICATE   one per file, all files
  reject   FILE LINE COLUMN REASON     every reject, exactly ('-' = no column)
  sql      WANT QUERY                  a query on the database after the ingest

A refused batch (exit 65 before parsing) has no counts: the database must be
unchanged. Identifiers are made up; the runner prints no value of them.
"""
import hashlib
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = ['beneficiaires.csv', 'pharmacie.csv', 'hospitalisation.csv', 'actes.csv',
         'radiologie.csv', 'biologie.csv', 'professionnels.csv', 'etablissements.csv']


def nir_key(nir):
    n = nir.replace('2A', '19').replace('2B', '18')
    return '%02d' % (97 - int(n) % 97)


def ean13_ok(code):
    d = [int(c) for c in code[:12]]
    s = sum(d[0::2]) + 3 * sum(d[1::2])
    return code[:12] + str((10 - s % 10) % 10)


P1, P2, P3, P4 = '2880877525170', '1761249533097', '2541059541024', '2120967548950'
P_ABSENT = '1690575112031'           # a valid NIR no file of the batch names
P_CORSE = '180052A012345'           # Corsica, department 2A

BEN_H = 'BEN_NIR;BEN_NIR_CLE;BEN_RNG_GEM;BEN_NOM_NAI;BEN_NOM_USU;BEN_PRN;BEN_PRN_LIS;BEN_NAI_DTE;BEN_SEX_COD;BEN_NAI_COM;BEN_DCD_DTE'
PHA_H = ('DCT_ORD_NUM;FLX_DIS_DTD;FLX_EMT_NUM;FLX_EMT_ORD;FLX_EMT_TYP;FLX_TRT_DTD;ORG_CLE_NUM;PRS_ORD_NUM;REM_TYP_AFF;'
         'PHA_ORD_NUM;BEN_NIR;BEN_RNG_GEM;EXE_SOI_DTD;DPN_QLF;PFS_EXE_NUM;PSE_SPE_COD;ETB_EXE_FIN;PFS_PRE_NUM;'
         'PSP_SPE_COD;ETB_PRE_FIN;PHA_PRS_C13;PHA_ACT_QSN;PHA_ATC_C07;TIP_PRS_IDE;TIP_ACT_QSN')
ACT_H = ('BEN_NIR;BEN_RNG_GEM;EXE_SOI_DTD;PRS_NAT_REF;CAM_PRS_IDE;CAM_ORD_NUM;PRS_ACT_QTE;PRS_PAI_MNT;PFS_EXE_NUM;'
         'PSE_SPE_COD;ETB_EXE_FIN;PFS_PRE_NUM;PSP_SPE_COD;ETB_PRE_FIN;DPN_QLF;DCT_ORD_NUM;FLX_DIS_DTD;FLX_EMT_NUM;'
         'FLX_EMT_ORD;FLX_EMT_TYP;FLX_TRT_DTD;ORG_CLE_NUM;PRS_ORD_NUM;REM_TYP_AFF')


def ben(nir, nom, prn, birth, sex, key=None):
    return '%s;%s;1;%s;;%s;%s;%s;%s;%s;' % (nir, key or nir_key(nir), nom, prn, prn, birth, sex, nir[5:10])


def pha(ord_, nir=P2, date='13/10/2026', cip='3400935955838', qty='1', dct='5000000004'):
    return ('%s;01112026;158;0;1;19102026;011491000;1;1;%s;%s;1;%s;0;57900003;;;76100004;1;;%s;%s;N02AJ13;;'
            % (dct, ord_, nir, date, cip, qty))


def act(dct, qty='1', nir=P2, ccam='', nat='1110', date='18/10/2025'):
    return ('%s;1;%s;%s;%s;%d;%s;30,00;76100004;1;;;;;0;%s;01112025;186;0;1;26102025;011491000;1;1'
            % (nir, date, nat, ccam, 1 if ccam else 0, qty, dct))


BASE = {
    'beneficiaires.csv': [BEN_H,
                          ben(P1, 'KOWALSKI', 'MONIQUE', '09/08/1988', 2),
                          ben(P2, "D'ALMEIDA", 'RENÉ', '19/12/1976', 1),
                          ben(P3, 'DA SILVA', 'ANNE-SOPHIE', '03/10/1954', 2),
                          ben(P4, 'CASANOVA', 'ANNE-SOPHIE', '17/09/2012', 2)],
    'pharmacie.csv': [PHA_H,
                      '5000000001;01072025;173;0;1;03072025;011771000;1;1;1;%s;1;30/06/2025;0;67900004;;;94100009;1;;3400938129748;1;;;' % P1,
                      pha(1, qty='2'),
                      pha(2)],
    'hospitalisation.csv': ['ETA_NUM;RSA_NUM;BEN_NIR;BEN_RNG_GEM;ENT_DAT;SOR_DAT;SEJ_NBJ;GRG_GHM;GHS_NUM',
                            '590780193;0000104321;%s;1;10032025;18032025;8;05M09W;1667' % P3],
    'actes.csv': [ACT_H,
                  act('5000000002', nir=P1, nat='1111', date='16/04/2025'),
                  act('5000000003', ccam='QZJA002', nat='1321', date='23/03/2025'),
                  act('5000000006'),
                  act('5000000007', nir=P3, date='01/09/2025')],
    'radiologie.csv': ['DCT_ORD_NUM;FLX_DIS_DTD;FLX_EMT_NUM;FLX_EMT_ORD;FLX_EMT_TYP;FLX_TRT_DTD;ORG_CLE_NUM;PRS_ORD_NUM;'
                       'REM_TYP_AFF;CAM_ORD_NUM;EXE_SOI_DTD;BEN_NIR;BEN_RNG_GEM;CAM_PRS_IDE;PRS_NAT_REF;PRS_ACT_QTE;'
                       'PFS_EXE_NUM;PSE_SPE_COD;ETB_EXE_FIN;PFS_PRE_NUM;PSP_SPE_COD;ETB_PRE_FIN;DPN_QLF',
                       '5000000005;01022025;112;0;1;30012025;011491000;1;1;1;2025-01-23;%s;1;NZQK005;1351;1;13600001;6;;76100004;1;;0' % P2],
    'biologie.csv': ['BEN_NIR;EXE_SOI_DTD;BIO_PRS_IDE;BIO_ACT_QSN;BIO_ORD_NUM;DCT_ORD_NUM;FLX_DIS_DTD;FLX_EMT_NUM;'
                     'FLX_EMT_ORD;FLX_EMT_TYP;FLX_TRT_DTD;ORG_CLE_NUM;PRS_ORD_NUM;REM_TYP_AFF;BEN_RNG_GEM;DPN_QLF;'
                     'PFS_EXE_NUM;PSE_SPE_COD;ETB_EXE_FIN;PFS_PRE_NUM;PSP_SPE_COD;ETB_PRE_FIN',
                     '%s;09/12/2024;4;1;1;5000000008;01012025;164;0;1;19122024;011671000;1;1;1;0;60800003;38;;83100008;1;' % P4,
                     '%s;09/12/2024;1821;1;2;5000000008;01012025;164;0;1;19122024;011671000;1;1;1;0;60800003;38;;83100008;1;' % P4,
                     '%s;09/12/2024;9105;1;3;5000000008;01012025;164;0;1;19122024;011671000;1;1;1;0;60800003;38;;83100008;1;' % P4],
    'professionnels.csv': ['PFS_NUM;PFS_NOM;PFS_PRN;PFS_RAI_SOC',
                           '13600001;CASANOVA;EMMA;',
                           '57900003;;;PHARMACIE SAINT-MICHEL',
                           '60800003;;;LABORATOIRE DE BIOLOGIE MÉDICALE NANTES',
                           '67900004;;;"PHARMACIE DU PARC; SELARL"',
                           '76100004;BOYER;STÉPHANE;',
                           '94100009;DURAND;AURÉLIE;'],
    'etablissements.csv': ['FINESS;RAISON_SOCIALE',
                           '590780193;CENTRE HOSPITALIER RÉGIONAL DE LILLE'],
}


def put(d, f, data):
    with open(os.path.join(d, f), 'wb') as out:
        out.write(data)


class Batch:
    """A case: the base files as bytes, a manifest built from them, EXPECTED."""

    def __init__(self, name, about):
        self.name, self.about = name, about
        self.files = {f: ('\n'.join(BASE[f]) + '\n').encode() for f in FILES}
        self.enc = {f: 'UTF-8' for f in FILES}
        self.lines = {}               # manifest LIGNES overrides
        self.manifest = None          # bytes: a hand-made manifest
        self.manifest_edit = None     # function(list of rows) -> bytes
        self.args, self.before, self.sql = [], None, []
        self.exit, self.message = 0, None
        self.refused = False
        self.delta = {}               # file -> (loaded, filtered, rejected, duplicate) beyond the base
        self.rejects = []
        self.after_manifest = None    # function(dir): changes files after the manifest is made

    def append(self, f, *rows, raw=None):
        b = self.files[f]
        for r in rows:
            b += (r + '\n').encode()
        if raw is not None:
            b += raw
        self.files[f] = b

    def replace(self, f, old, new):
        b = self.files[f]
        old = old.encode() if isinstance(old, str) else old
        new = new.encode() if isinstance(new, str) else new
        assert b.count(old) == 1, (self.name, old)
        self.files[f] = b.replace(old, new)

    def outcome(self, f, loaded=0, filtered=0, rejected=0, duplicate=0):
        self.delta[f] = (loaded, filtered, rejected, duplicate)

    def reject(self, f, line, col, reason):
        self.rejects.append((f, line, col, reason))

    def refuse(self, message):
        self.exit, self.message, self.refused = 65, message, True

    def data_lines(self, f):
        return len(BASE[f]) - 1

    def write(self, top):
        d = os.path.join(top, self.name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        rows = [['FICHIER', 'LIGNES', 'SHA256', 'ENCODAGE']]
        for f, b in self.files.items():
            with open(os.path.join(d, f), 'wb') as out:
                out.write(b)
            n = self.lines.get(f, b.replace(b'\r\n', b'\n').rstrip(b'\n').count(b'\n'))
            rows.append([f, str(n), hashlib.sha256(b).hexdigest(), self.enc[f]])
        if self.manifest_edit:
            rows = self.manifest_edit(rows)
        m = self.manifest if self.manifest is not None else rows if isinstance(rows, bytes) else ''.join(';'.join(r) + '\n' for r in rows).encode()
        if m is not False:
            with open(os.path.join(d, 'manifest.csv'), 'wb') as out:
                out.write(m)
        if self.after_manifest:
            self.after_manifest(d)
        e = ['# ' + self.about]
        if self.args:
            e.append('args\t' + ' '.join(self.args))
        if self.before:
            e.append('before\t' + self.before)
        e.append('exit\t%d' % self.exit)
        if self.message:
            e.append('message\t' + self.message)
        if not self.refused:
            for f in FILES:
                if f not in self.files:
                    continue
                base = 0 if f in self.headeronly else self.data_lines(f)
                lo, fi, rj, du = self.delta.get(f, (0, 0, 0, 0))
                if self.before:
                    lo, du = lo - base, du + base
                e.append('counts\t%s\t%d\t%d\t%d\t%d\t%d' % (f, base + lo + fi + rj + du, base + lo, fi, rj, du))
            for r in sorted(self.rejects):
                e.append('reject\t%s\t%d\t%s\t%s' % r)
        for want, q in self.sql:
            e.append('sql\t%s\t%s' % (want, q))
        with open(os.path.join(d, 'EXPECTED'), 'w') as out:
            out.write('\n'.join(e) + '\n')

    headeronly = ()


CASES = []


def case(name, about):
    b = Batch(name, about)
    CASES.append(b)
    return b


def lenient(b):
    b.args = ['--max-reject-ratio', '1']


# ---------------------------------------------------------------- the batch as a whole
b = case('base', 'the valid base batch every case starts from: everything loads')

b = case('manifest-missing', 'no manifest.csv (incomplete transfer)')
b.manifest = False
b.refuse('batch has no manifest.csv')

b = case('manifest-empty', 'manifest.csv of 0 bytes')
b.manifest = b''
b.refuse('manifest.csv is empty')

b = case('manifest-header-only', 'manifest.csv lists no file')
b.manifest = b'FICHIER;LIGNES;SHA256;ENCODAGE\n'
b.refuse('manifest.csv lists no file')

b = case('manifest-bad-header', 'manifest header names SHA instead of SHA256')
b.manifest_edit = lambda rows: [['FICHIER', 'LIGNES', 'SHA', 'ENCODAGE']] + rows[1:]
b.refuse('manifest.csv: header misses column SHA256')

b = case('manifest-lignes-not-number', 'LIGNES of pharmacie.csv is "3.0"')
b.manifest_edit = lambda rows: [r if r[0] != 'pharmacie.csv' else [r[0], '3.0', r[2], r[3]] for r in rows]
b.refuse('manifest.csv line 3: LIGNES is not a whole number')

b = case('manifest-lignes-negative', 'LIGNES of actes.csv is -4')
b.manifest_edit = lambda rows: [r if r[0] != 'actes.csv' else [r[0], '-4', r[2], r[3]] for r in rows]
b.refuse('manifest.csv line 5: LIGNES is not a whole number')

b = case('manifest-sha-not-hex', 'SHA256 of biologie.csv has a "g"')
b.manifest_edit = lambda rows: [r if r[0] != 'biologie.csv' else [r[0], r[1], 'g' + r[2][1:], r[3]] for r in rows]
b.refuse('manifest.csv line 7: SHA256 is not 64 hex digits')

b = case('manifest-sha-short', 'SHA256 of radiologie.csv has 63 digits')
b.manifest_edit = lambda rows: [r if r[0] != 'radiologie.csv' else [r[0], r[1], r[2][1:], r[3]] for r in rows]
b.refuse('manifest.csv line 6: SHA256 is not 64 hex digits')

b = case('manifest-bad-encoding', 'ENCODAGE ISO-8859-1')
b.manifest_edit = lambda rows: [r if r[0] != 'beneficiaires.csv' else r[:3] + ['ISO-8859-1'] for r in rows]
b.refuse('manifest.csv line 2: ENCODAGE must be UTF-8 or CP1252')

b = case('manifest-three-fields', 'a manifest line without ENCODAGE')
b.manifest_edit = lambda rows: [r if r[0] != 'hospitalisation.csv' else r[:3] for r in rows]
b.refuse('manifest.csv line 4: expected 4 fields, as its header')

b = case('manifest-extra-column-short-line', 'a header with a fifth column first; one line lacks the last field')
b.manifest_edit = lambda rows: [['COMMENTAIRE'] + rows[0]] + [[''] + r if r[0] != 'actes.csv' else [''] + r[:3]
                                                            for r in rows[1:]]
b.refuse('manifest.csv line 5: expected 5 fields, as its header')

b = case('manifest-listed-twice', 'actes.csv listed twice')
b.manifest_edit = lambda rows: rows + [rows[4]]
b.refuse("manifest.csv line 10: 'actes.csv' listed twice")

b = case('manifest-sha256-twice', 'a second SHA256 column, last, with another digest: which one is meant is unknown')
b.manifest_edit = lambda rows: [rows[0] + ['SHA256']] + [r + ['0' * 64] for r in rows[1:]]
b.refuse('manifest.csv: column SHA256 appears twice in the header: refused')

b = case('manifest-path', 'FICHIER names a path out of the batch')
b.manifest_edit = lambda rows: [r if r[0] != 'etablissements.csv' else ['../etablissements.csv'] + r[1:] for r in rows]
b.refuse('manifest.csv line 9: FICHIER is not a plain file name')

b = case('file-truncated', 'biologie.csv lost its last line after the manifest was made')
b.after_manifest = lambda d, data=b.files['biologie.csv']: put(d, 'biologie.csv', data.rsplit(b'\n', 2)[0] + b'\n')
b.refuse("'biologie.csv' does not match its SHA256 in manifest.csv")

b = case('file-longer', 'pharmacie.csv gained a line after the manifest was made')
b.after_manifest = lambda d, data=b.files['pharmacie.csv']: put(d, 'pharmacie.csv', data + (pha(3) + '\n').encode())
b.refuse("'pharmacie.csv' does not match its SHA256 in manifest.csv")

b = case('count-short', 'actes.csv has 4 data lines, LIGNES says 3 (digest right)')
b.lines['actes.csv'] = 3
b.refuse("'actes.csv' has 4 data lines, manifest.csv says 3")

b = case('count-long', 'beneficiaires.csv has 4 data lines, LIGNES says 5 (digest right)')
b.lines['beneficiaires.csv'] = 5
b.refuse("'beneficiaires.csv' has 4 data lines, manifest.csv says 5")

b = case('digest-wrong', 'one hex digit of the SHA256 of professionnels.csv differs')
b.manifest_edit = lambda rows: [r if r[0] != 'professionnels.csv' else
                                [r[0], r[1], ('0' if r[2][0] != '0' else '1') + r[2][1:], r[3]] for r in rows]
b.refuse("'professionnels.csv' does not match its SHA256 in manifest.csv")

b = case('file-missing', 'radiologie.csv listed but absent')
b.after_manifest = lambda d: os.remove(os.path.join(d, 'radiologie.csv'))
b.refuse("'radiologie.csv' is listed in manifest.csv but missing")

b = case('file-extra', 'a data file present but not listed')
b.after_manifest = lambda d: put(d, 'complements.csv', b'A;B\n1;2\n')
b.refuse("'complements.csv' is in the batch but not in manifest.csv")

b = case('file-link-outside', 'actes.csv is a symbolic link to a file outside the batch (same bytes, right digest)')
b.after_manifest = lambda d: (os.remove(os.path.join(d, 'actes.csv')),
                              os.symlink('../base/actes.csv', os.path.join(d, 'actes.csv')))
b.refuse("'actes.csv' is a symbolic link leading outside the batch directory: refused")

b = case('manifest-link-outside', 'manifest.csv is a symbolic link to the manifest of another batch (same files)')
b.manifest = False
b.after_manifest = lambda d: os.symlink('../base/manifest.csv', os.path.join(d, 'manifest.csv'))
b.refuse("'manifest.csv' is a symbolic link leading outside the batch directory: refused")

b = case('file-link-inside', 'actes.csv is a symbolic link to actes.dat, a file of the batch: followed, loaded')
b.after_manifest = lambda d: (os.rename(os.path.join(d, 'actes.csv'), os.path.join(d, 'actes.dat')),
                              os.symlink('actes.dat', os.path.join(d, 'actes.csv')))

b = case('required-not-listed', 'hospitalisation.csv neither listed nor present')
del b.files['hospitalisation.csv']
b.refuse('manifest.csv does not list hospitalisation.csv, a required file')

b = case('file-not-of-contract', 'a file listed and present that the contract does not know')
b.files['complements.csv'] = b'A;B\n1;2\n'
b.enc['complements.csv'] = 'UTF-8'
b.refuse("manifest.csv lists 'complements.csv', which is not a file of the contract")

b = case('header-missing-column', 'pharmacie.csv has no EXE_SOI_DTD column')
b.replace('pharmacie.csv', 'EXE_SOI_DTD', 'EXE_SOI_DTE')
b.refuse('pharmacie.csv: unknown column set: missing EXE_SOI_DTD')

b = case('header-duplicate-column', 'actes.csv names BEN_NIR twice (the unknown PRS_PAI_MNT renamed)')
b.replace('actes.csv', 'PRS_PAI_MNT', 'BEN_NIR')
b.refuse('actes.csv: column BEN_NIR appears twice')

b = case('empty-file', 'etablissements.csv of 0 bytes')
b.files['etablissements.csv'] = b''
b.refuse('etablissements.csv is empty (no header line)')

b = case('reject-threshold', 'two bad dates in pharmacie.csv at the default 1 % threshold: report kept, nothing applied')
b.append('pharmacie.csv', pha(3, date='31/02/2024'), pha(4, date='1/2/2024'))
b.outcome('pharmacie.csv', rejected=2)
b.reject('pharmacie.csv', 5, 'EXE_SOI_DTD', 'bad_date')
b.reject('pharmacie.csv', 6, 'EXE_SOI_DTD', 'bad_date')
b.exit, b.message = 65, 'batch refused: pharmacie.csv rejects 40.00% of its lines, above 1.00%'
b.sql = [('refused', "SELECT status FROM batch WHERE label = 'reject-threshold'"),
         ('0', 'SELECT count(*) FROM claim_line'), ('0', 'SELECT count(*) FROM beneficiary')]

# ---------------------------------------------------------------- whole files, line syntax
b = case('header-only', 'every file holds its header and no line')
b.files = {f: (BASE[f][0] + '\n').encode() for f in FILES}
b.headeronly = FILES

b = case('crlf', 'pharmacie.csv with CRLF line ends')
b.files['pharmacie.csv'] = b.files['pharmacie.csv'].replace(b'\n', b'\r\n')

b = case('cr-only', 'actes.csv with CR-only line ends (old Mac): the contract says LF or CRLF, refused')
b.files['actes.csv'] = b.files['actes.csv'].replace(b'\n', b'\r')
b.refuse("actes.csv' has CR-only line ends (line 1 ends with a carriage return and no line feed)")

b = case('cr-in-field', 'a lone CR inside an unquoted PFS_NOM of an LF file: a byte of the field, that one line'
         ' rejected (not a line end that breaks the count)')
lenient(b)
b.append('professionnels.csv', '31100007;MO\rREL;CEDRIC;', '77400003;GARCIA;SIMONE;')
b.lines['professionnels.csv'] = 8
b.outcome('professionnels.csv', loaded=1, rejected=1)
b.reject('professionnels.csv', 8, 'PFS_NOM', 'encoding')

b = case('no-final-newline', 'biologie.csv without a line end after its last line')
b.files['biologie.csv'] = b.files['biologie.csv'].rstrip(b'\n')

b = case('bom-start', 'professionnels.csv opens with a UTF-8 BOM (allowed)')
b.files['professionnels.csv'] = b'\xef\xbb\xbf' + b.files['professionnels.csv']

b = case('bom-middle', 'a UTF-8 BOM at the start of line 4 of professionnels.csv')
lenient(b)
b.replace('professionnels.csv', '\n60800003;', '\n\xef\xbb\xbf60800003;'.encode('latin-1'))
b.outcome('professionnels.csv', loaded=-1, rejected=1)
b.reject('professionnels.csv', 4, 'PFS_NUM', 'encoding')

b = case('one-field-line', 'a pharmacie line with a single field')
lenient(b)
b.append('pharmacie.csv', '5000000099')
b.outcome('pharmacie.csv', rejected=1)
b.reject('pharmacie.csv', 5, '-', 'field_count')

b = case('trailing-separator-line', 'one biologie line ends with a stray ";"')
lenient(b)
b.append('biologie.csv', '%s;09/12/2024;1104;1;4;5000000008;01012025;164;0;1;19122024;011671000;1;1;1;0;60800003;38;;83100008;1;;' % P4)
b.outcome('biologie.csv', rejected=1)
b.reject('biologie.csv', 5, '-', 'field_count')

b = case('trailing-separator-all', 'header and every line of biologie.csv end with ";": one empty unnamed column')
b.files['biologie.csv'] = b.files['biologie.csv'].replace(b'\n', b';\n')

b = case('unbalanced-quote-eof', 'the last line of professionnels.csv opens a quote the file never closes')
lenient(b)
b.append('professionnels.csv', '31100007;MOREL;"CEDRIC;')
b.outcome('professionnels.csv', rejected=1)
b.reject('professionnels.csv', 8, '-', 'bad_quote')

b = case('quoted-newline', 'a quoted PFS_PRN holding a line break (a control character in a name: encoding);'
         ' one record over two lines: a reject names the physical line the record starts on')
lenient(b)
b.append('professionnels.csv', '31100007;MOREL;"CEDRIC\nJEAN";', '77400003;GARCIA;SIMONE;', '83100008')
b.lines['professionnels.csv'] = 9
b.outcome('professionnels.csv', loaded=1, rejected=2)
b.reject('professionnels.csv', 8, 'PFS_PRN', 'encoding')
b.reject('professionnels.csv', 11, '-', 'field_count')

b = case('too-long-field', 'a 5000-byte PFS_RAI_SOC (limit 4096)')
lenient(b)
b.append('professionnels.csv', '31100007;;;' + 'PHARMACIE ' * 500)
b.outcome('professionnels.csv', rejected=1)
b.reject('professionnels.csv', 8, 'PFS_RAI_SOC', 'too_long')

b = case('long-ignored-field', 'a 5000-byte field in an unknown column (ignored, as the contract says)')
b.replace('actes.csv', '30,00;76100004;1;;;;;0;5000000006', '%s;76100004;1;;;;;0;5000000006' % ('9' * 5000))

b = case('field-4096', 'a PFS_RAI_SOC of exactly 4096 bytes: the limit itself is allowed')
b.append('professionnels.csv', '31100007;;;' + 'PHARMACIE ' * 409 + 'MOREL!')
b.outcome('professionnels.csv', loaded=1)

b = case('too-long-after-ignored', 'a 5000-byte ignored field, then a 5000-byte PFS_RAI_SOC on the same line:'
         ' the second long field must not be cut silently')
lenient(b)
b.files['professionnels.csv'] = ('PFS_NUM;PFS_NOM;PFS_PRN;PFS_COMMENT;PFS_RAI_SOC\n' + ''.join(
    ';'.join(r.split(';', 3)[:3] + ['', r.split(';', 3)[3]]) + '\n' for r in BASE['professionnels.csv'][1:])).encode()
b.append('professionnels.csv', '31100007;;;' + 'C' * 5000 + ';' + 'PHARMACIE ' * 500)
b.outcome('professionnels.csv', rejected=1)
b.reject('professionnels.csv', 8, 'PFS_RAI_SOC', 'too_long')

b = case('wide-header', 'professionnels.csv has 1500 unknown columns before its own: beyond the 1024 read')
b.files['professionnels.csv'] = (';'.join('X%d' % i for i in range(1500)) + ';' + BASE['professionnels.csv'][0] + '\n'
                                 + ''.join(';' * 1500 + r + '\n' for r in BASE['professionnels.csv'][1:])).encode()
b.refuse('professionnels.csv: the header has 1504 columns, more than the 1024 read: refused')

b = case('wide-header-optional', 'PHA_ATC_C07 of pharmacie.csv after 1100 unknown columns, beyond the 1024 read:'
         ' refused, never loaded without it (the vaccine would land in Médicaments)')
atc = PHA_H.split(';').index('PHA_ATC_C07')
b.files['pharmacie.csv'] = ''.join(';'.join(r[:atc] + r[atc + 1:] + [x] * 1100 + [r[atc]]) + '\n' for r, x in
                                   [(r.split(';'), 'X' if n == 0 else '') for n, r in enumerate(BASE['pharmacie.csv'])]).encode()
b.refuse('pharmacie.csv: the header has 1125 columns, more than the 1024 read: refused')

b = case('blank-lines', 'blank lines between the lines of actes.csv are not lines (LIGNES counts the 5 data lines);'
         ' the reject of the last line names its physical line 8, not its record number 6')
lenient(b)
b.files['actes.csv'] = b.files['actes.csv'].replace(b'\n', b'\n\n', 2)
b.append('actes.csv', act('5000000106', qty='1e3'))
b.lines['actes.csv'] = 5
b.outcome('actes.csv', rejected=1)
b.reject('actes.csv', 8, 'PRS_ACT_QTE', 'bad_quantity')

b = case('manifest-bom-crlf', 'manifest.csv with a UTF-8 BOM and CRLF line ends (allowed for every file)')
b.manifest_edit = lambda rows: b'\xef\xbb\xbf' + ''.join(';'.join(r) + '\r\n' for r in rows).encode()

b = case('manifest-lignes-huge', 'LIGNES of 20 digits')
b.manifest_edit = lambda rows: [r if r[0] != 'radiologie.csv' else [r[0], '99999999999999999999', r[2], r[3]] for r in rows]
b.refuse('manifest.csv line 6: LIGNES is not a whole number')

b = case('person-twice', 'the same person twice in beneficiaires.csv with another first name: the second is a conflict')
lenient(b)
b.append('beneficiaires.csv', ben(P3, 'DA SILVA', 'ANNE', '03/10/1954', 2))
b.outcome('beneficiaires.csv', rejected=1)
b.reject('beneficiaires.csv', 6, 'BEN_NIR', 'conflict')

# ---------------------------------------------------------------- encodings
b = case('utf8-declared-cp1252-bytes', 'professionnels.csv declared UTF-8 holds a CP1252 "É"')
lenient(b)
b.append('professionnels.csv', raw=b'31100007;MOREL;C\xc9DRIC;\n')
b.outcome('professionnels.csv', rejected=1)
b.reject('professionnels.csv', 8, 'PFS_PRN', 'encoding')

b = case('cp1252-declared-utf8-bytes', 'professionnels.csv declared CP1252 holds UTF-8 "É": undetectable, loaded as "Ã‰"')
b.enc['professionnels.csv'] = 'CP1252'
b.files['professionnels.csv'] = b.files['professionnels.csv'].replace('É'.encode(), 'É'.encode('cp1252'))
b.append('professionnels.csv', '31100007;MOREL;CÉDRIC;')
b.outcome('professionnels.csv', loaded=1)
b.sql = [('1', "SELECT count(*) FROM professional WHERE pfs_prn LIKE 'CÃ‰DRIC'")]

b = case('cp1252-undefined-byte', 'professionnels.csv declared CP1252 holds 0x81, a byte CP1252 leaves undefined')
lenient(b)
b.enc['professionnels.csv'] = 'CP1252'
b.files['professionnels.csv'] = b.files['professionnels.csv'].replace('É'.encode(), 'É'.encode('cp1252'))
b.append('professionnels.csv', raw=b'31100007;MOREL;C\x81DRIC;\n')
b.outcome('professionnels.csv', rejected=1)
b.reject('professionnels.csv', 8, 'PFS_PRN', 'encoding')

b = case('invalid-utf8', 'overlong, lone continuation, truncated and surrogate sequences (one line each)')
lenient(b)
b.append('professionnels.csv', raw=b'31100007;MOREL;\xc0\xafCEDRIC;\n77400003;GARCIA;\x80SIMONE;\n'
         b'83100008;ROUSSEAU;LEA\xe2\x82;\n94300002;MERCIER;\xed\xa0\x80NOEMIE;\n')
b.outcome('professionnels.csv', rejected=4)
for n in (8, 9, 10, 11):
    b.reject('professionnels.csv', n, 'PFS_PRN', 'encoding')

b = case('nul-byte', 'a NUL byte inside PFS_NOM, and one inside an ignored column of actes.csv')
lenient(b)
b.append('professionnels.csv', raw=b'31100007;MO\x00REL;CEDRIC;\n')
b.replace('actes.csv', '30,00;76100004;1;;;;;0;5000000006', b'30\x0000;76100004;1;;;;;0;5000000006')
b.outcome('professionnels.csv', rejected=1)
b.reject('professionnels.csv', 8, 'PFS_NOM', 'encoding')

b = case('control-character', 'an ESC byte inside BEN_NOM_USU of a fifth person')
lenient(b)
b.append('beneficiaires.csv', ben(P_ABSENT, 'LEROY', 'PAUL', '12/05/1969', 1).replace(';1;LEROY;;', ';1;LEROY;LE\x1bROY;'))
b.outcome('beneficiaires.csv', rejected=1)
b.reject('beneficiaires.csv', 6, 'BEN_NOM_USU', 'encoding')

b = case('name-noncharacters', 'names made only of Unicode non-characters (U+FFFF, U+FFFE, U+FDD0) are missing names:'
         ' a required BEN_NOM_NAI is rejected, an optional BEN_NOM_USU, PFS_NOM, PFS_PRN stored empty'
         ' (a document drops U+FFFF: an empty name fails the structuration minimale)')
lenient(b)
b.append('beneficiaires.csv', ben(P_ABSENT, '\uffff', 'PAUL', '12/05/1969', 1),
         ben(P_ABSENT[:10] + '061', 'LEROY', 'PAUL', '12/05/1969', 1).replace(';1;LEROY;;', ';1;LEROY;\ufffe \uffff;'))
b.append('professionnels.csv', '31100007;\uffff;\ufdd0;')
b.outcome('beneficiaires.csv', loaded=1, rejected=1)
b.outcome('professionnels.csv', loaded=1)
b.reject('beneficiaires.csv', 6, 'BEN_NOM_NAI', 'missing')
b.sql = [('1', "SELECT count(*) FROM professional WHERE pfs_num = '31100007' AND pfs_nom IS NULL AND pfs_prn IS NULL"),
         ('1', "SELECT count(*) FROM beneficiary WHERE ben_nom_nai = 'LEROY' AND ben_nom_usu IS NULL")]

# ---------------------------------------------------------------- dates
b = case('bad-dates', 'EXE_SOI_DTD 31/02/2024, 29/02/2023, 00/00/0000, 2024-13-01, 1/2/2024; 29/02/2024 is fine')
lenient(b)
for i, d in enumerate(['31/02/2024', '29/02/2023', '00/00/0000', '2024-13-01', '1/2/2024', '29/02/2024']):
    b.append('pharmacie.csv', pha(3 + i, date=d))
b.outcome('pharmacie.csv', loaded=1, rejected=5)
for n in range(5, 10):
    b.reject('pharmacie.csv', n, 'EXE_SOI_DTD', 'bad_date')

b = case('birth-dates', 'BEN_NAI_DTE 00/00/1969 and 00/05/1969 are legal; 00/00/0000 and 30/02/1969 are not')
lenient(b)
for i, d in enumerate(['00/00/1969', '00/05/1969', '00/00/0000', '30/02/1969']):
    nir = P_ABSENT[:10] + '%03d' % (41 + i)
    b.append('beneficiaires.csv', ben(nir, 'LEROY', 'PAUL', d, 1))
b.outcome('beneficiaires.csv', loaded=2, rejected=2)
b.reject('beneficiaires.csv', 8, 'BEN_NAI_DTE', 'bad_date')
b.reject('beneficiaires.csv', 9, 'BEN_NAI_DTE', 'bad_date')

b = case('stay-dates', 'a stay discharged before admission, and one with a JJMMAAAA date of 31 April')
lenient(b)
b.append('hospitalisation.csv', '590780193;0000104322;%s;1;10032025;08032025;0;05M09W;1667' % P3,
         '590780193;0000104323;%s;1;31042025;;;05M09W;1667' % P3)
b.outcome('hospitalisation.csv', rejected=2)
b.reject('hospitalisation.csv', 3, 'SOR_DAT', 'bad_value')
b.reject('hospitalisation.csv', 4, 'ENT_DAT', 'bad_date')

b = case('care-after-processing', 'EXE_SOI_DTD the day after FLX_TRT_DTD (19/10/2026) is rejected; the same day loads')
lenient(b)
b.append('pharmacie.csv', pha(3, date='20/10/2026'), pha(4, date='19/10/2026'))
b.append('biologie.csv', '%s;20/12/2024;1104;1;4;5000000008;01012025;164;0;1;19122024;011671000;1;1;1;0;60800003;38;;83100008;1;' % P4)
b.outcome('pharmacie.csv', loaded=1, rejected=1)
b.outcome('biologie.csv', rejected=1)
b.reject('pharmacie.csv', 5, 'EXE_SOI_DTD', 'care_after_processing')
b.reject('biologie.csv', 5, 'EXE_SOI_DTD', 'care_after_processing')

def pha_processed(ord_, processed, care):
    """A pharmacie line of P2 processed on `processed` (JJMMAAAA), care on `care`."""
    return pha(ord_, date=care).replace(';19102026;', ';%s;' % processed)


b = case('processing-out-of-window', 'FLX_TRT_DTD 31/12/1999 and 01/01/2099 are rejected (each month would be'
         ' a partition); 01/01/2000, the first day of the window, loads')
lenient(b)
b.append('pharmacie.csv', pha_processed(3, '31121999', '01/12/1999'), pha_processed(4, '01012000', '01/01/2000'),
         pha_processed(5, '01012099', '01/01/2099'))
b.outcome('pharmacie.csv', loaded=1, rejected=2)
b.reject('pharmacie.csv', 5, 'FLX_TRT_DTD', 'processing_out_of_window')
b.reject('pharmacie.csv', 7, 'FLX_TRT_DTD', 'processing_out_of_window')

b = case('death-before-birth', 'BEN_DCD_DTE before BEN_NAI_DTE is rejected; a death within a birth month'
         ' of unknown day (00/05/1969), or on the birth day, loads')
lenient(b)
for i, (birth, death) in enumerate([('12/05/1969', '11/05/1969'), ('00/05/1969', '30/04/1969'),
                                    ('00/05/1969', '02/05/1969'), ('12/05/1969', '12/05/1969')]):
    b.append('beneficiaires.csv', ben(P_ABSENT[:10] + '%03d' % (51 + i), 'LEROY', 'PAUL', birth, 1) + death)
b.outcome('beneficiaires.csv', loaded=2, rejected=2)
b.reject('beneficiaires.csv', 6, 'BEN_DCD_DTE', 'death_before_birth')
b.reject('beneficiaires.csv', 7, 'BEN_DCD_DTE', 'death_before_birth')

# ---------------------------------------------------------------- identities and codes
b = case('nir-letters', 'BEN_NIR with letters outside 2A/2B (2C, an O for a 0, lower-case 2a), and 12 characters')
lenient(b)
for i, nir in enumerate(['178072C004215', '17607O5112031', '178072a004215', P2[:12]]):
    b.append('pharmacie.csv', pha(3 + i, nir=nir))
b.outcome('pharmacie.csv', rejected=4)
for n in range(5, 9):
    b.reject('pharmacie.csv', n, 'BEN_NIR', 'bad_nir')

b = case('nir-key', 'a fifth person whose BEN_NIR_CLE is wrong; a Corsican 2A person with a right one')
lenient(b)
k = nir_key(P_ABSENT)
b.append('beneficiaires.csv', ben(P_ABSENT, 'LEROY', 'PAUL', '12/05/1969', 1, key='%02d' % ((int(k) + 1) % 97)),
         ben(P_CORSE, 'PIETRI', 'ANGE', '14/07/1978', 1))
b.outcome('beneficiaires.csv', loaded=1, rejected=1)
b.reject('beneficiaires.csv', 6, 'BEN_NIR_CLE', 'bad_nir_key')

b = case('cip13', 'PHA_PRS_C13 with a wrong check digit, with 12 digits, and with a letter')
lenient(b)
good = '3400935955838'
bad = good[:12] + str((int(good[12]) + 1) % 10)
for i, c in enumerate([bad, good[:12], good[:5] + 'X' + good[6:]]):
    b.append('pharmacie.csv', pha(3 + i, cip=c))
b.outcome('pharmacie.csv', rejected=3)
for n in range(5, 8):
    b.reject('pharmacie.csv', n, 'PHA_PRS_C13', 'bad_cip13')

b = case('quantities', 'PRS_ACT_QTE +3 (a whole number with its sign: loaded as 3), 3.0, 1e3, 99999999999999999999')
lenient(b)
for i, q in enumerate(['+3', '3.0', '1e3', '99999999999999999999']):
    b.append('actes.csv', act('50000001%02d' % i, qty=q))
b.outcome('actes.csv', loaded=1, rejected=3)
for n in range(7, 10):
    b.reject('actes.csv', n, 'PRS_ACT_QTE', 'bad_quantity')
b.sql = [('3', "SELECT act_qsn FROM claim_line WHERE domain = 'A' AND act_qsn <> 1")]

b = case('reversal-below-zero', 'a dispensing of 1 box and a regularisation of -2: both lines load (netting is the documents\' job)')
b.append('pharmacie.csv', pha(3, cip='3400938129748', dct='5000000011'), pha(4, cip='3400938129748', qty='-2', dct='5000000012'))
b.outcome('pharmacie.csv', loaded=2)
b.sql = [('-1', "SELECT sum(act_qsn) FROM claim_line WHERE pha_prs_c13 = '3400938129748' AND exe_soi_dtd = '2026-10-13'")]

b = case('unknown-person', 'claim lines and a stay of a person absent from beneficiaires.csv and from the database')
lenient(b)
b.append('pharmacie.csv', pha(3, nir=P_ABSENT))
b.append('biologie.csv', '%s;09/12/2024;1104;1;4;5000000008;01012025;164;0;1;19122024;011671000;1;1;1;0;60800003;38;;83100008;1;' % P_ABSENT)
b.append('hospitalisation.csv', '590780193;0000104399;%s;1;10032025;18032025;8;05M09W;1667' % P_ABSENT)
for f, n in (('pharmacie.csv', 5), ('biologie.csv', 5), ('hospitalisation.csv', 3)):
    b.outcome(f, rejected=1)
    b.reject(f, n, 'BEN_NIR', 'unknown_person')

b = case('unknown-codes', 'codes no referential knows (valid CIP13, CCAM, NABM, NGAP nature): loaded, not rejected')
b.append('pharmacie.csv', pha(3, cip=ean13_ok('340093999999')))
b.append('actes.csv', act('5000000199', ccam='ZZZZ999', nat='1321'), act('5000000198', nat='9999'))
b.append('biologie.csv', '%s;09/12/2024;9998;1;4;5000000008;01012025;164;0;1;19122024;011671000;1;1;1;0;60800003;38;;83100008;1;' % P4)
b.outcome('pharmacie.csv', loaded=1)
b.outcome('actes.csv', loaded=2)
b.outcome('biologie.csv', loaded=1)

# ---------------------------------------------------------------- duplicates and conflicts
b = case('duplicate-in-file', 'the same pharmacie line twice in one file')
b.append('pharmacie.csv', pha(2))
b.outcome('pharmacie.csv', duplicate=1)

b = case('conflict-in-file', 'the same claim identity twice in one file with another quantity')
lenient(b)
b.append('pharmacie.csv', pha(2, qty='3'))
b.outcome('pharmacie.csv', rejected=1)
b.reject('pharmacie.csv', 5, '-', 'conflict')
b.sql = [('1', "SELECT count(*) FROM reject WHERE reason LIKE '%already in this batch (line 4)%'")]

b = case('conflict-across-batches', 'base again, one claim line with another quantity and one new line')
lenient(b)
b.before = 'base'
b.replace('actes.csv', act('5000000006'), act('5000000006', qty='2'))
b.append('actes.csv', act('5000000299'))
b.outcome('actes.csv', loaded=1, rejected=1, duplicate=-1)
b.reject('actes.csv', 4, '-', 'conflict')
b.sql = [('1', "SELECT count(*) FROM reject r JOIN batch b USING (batch_id) WHERE b.label = 'conflict-across-batches'"
               " AND r.reason LIKE '%loaded by batch ' || (SELECT batch_id FROM batch WHERE label = 'base') || ' %'"),
         ('1', "SELECT count(*) FROM claim_line WHERE act_qsn = 2")]

b = case('identity-other-person', 'base again, one claim line and the stay re-sent under another person (same DCIR'
         ' keys, same ETA_NUM + RSA_NUM): conflicts, not second lines')
lenient(b)
b.before = 'base'
b.replace('pharmacie.csv', pha(2), pha(2, nir=P1))
b.replace('hospitalisation.csv', ';%s;' % P3, ';%s;' % P1)
b.outcome('pharmacie.csv', rejected=1, duplicate=-1)
b.outcome('hospitalisation.csv', rejected=1, duplicate=-1)
b.reject('pharmacie.csv', 4, '-', 'conflict')
b.reject('hospitalisation.csv', 2, '-', 'conflict')
b.sql = [('2', "SELECT count(*) FROM reject r JOIN batch b USING (batch_id) WHERE b.label = 'identity-other-person'"
               " AND r.reason LIKE '%already loaded by batch ' || (SELECT batch_id FROM batch WHERE label = 'base')"
               " || ' for another person'"),
         ('1', "SELECT count(*) FROM hospital_stay")]

b = case('resent-with-new-line', 'base again with one new biologie line: the rest are duplicates')
b.before = 'base'
b.append('biologie.csv', '%s;09/12/2024;1104;1;4;5000000008;01012025;164;0;1;19122024;011671000;1;1;1;0;60800003;38;;83100008;1;' % P4)
b.outcome('biologie.csv', loaded=1)


# ---------------------------------------------------------------- cases made at test time
# (too large for git, or files git cannot hold: a named pipe, a directory as a file)
def fifo_at(d, f):
    os.remove(os.path.join(d, f)) if os.path.exists(os.path.join(d, f)) else None
    os.mkfifo(os.path.join(d, f))


def large_cases():
    b = Batch('manifest-fifo', 'manifest.csv is a named pipe: refused at once, never blocked in open()')
    b.manifest = False
    b.after_manifest = lambda d: fifo_at(d, 'manifest.csv')
    b.refuse("'manifest.csv' is a named pipe (FIFO), not a regular file: refused")
    yield b
    b = Batch('file-fifo', 'actes.csv is a named pipe: refused at once')
    b.after_manifest = lambda d: fifo_at(d, 'actes.csv')
    b.refuse("'actes.csv' is a named pipe (FIFO), not a regular file: refused")
    yield b
    b = Batch('manifest-directory', 'manifest.csv is a directory: the batch is refused (65), not an I/O error (74)')
    b.manifest = False
    b.after_manifest = lambda d: os.mkdir(os.path.join(d, 'manifest.csv'))
    b.refuse("'manifest.csv' is a directory, not a regular file: refused")
    yield b
    b = Batch('file-directory', 'radiologie.csv is a directory')
    b.after_manifest = lambda d: (os.remove(os.path.join(d, 'radiologie.csv')), os.mkdir(os.path.join(d, 'radiologie.csv')))
    b.refuse("'radiologie.csv' is a directory, not a regular file: refused")
    yield b

    # the batch: one valid line per processing month from 01/1900 to
    # 12/2099; the months of the window load (about 350 partitions, made a
    # few at a time), the others are rejects. The months next to the
    # window's end (today + 2 years) are left out: the outcome must not
    # depend on the hour the case is made.
    import datetime
    today = datetime.date.today()
    hi = (today.year + 2) * 12 + today.month - 1
    b = Batch('processing-2400-months', 'one pharmacie line per processing month from 01/1900 to 12/2099: never'
              ' "out of shared memory" (exit 75 at every run); the months outside the window are rejects')
    lenient(b)
    n = 4
    for k in range(1900 * 12, 2100 * 12):
        if hi - 1 <= k <= hi + 1:
            continue
        y, m = divmod(k, 12)
        b.append('pharmacie.csv', pha_processed(10 + k, '01%02d%d' % (m + 1, y), '01/%02d/%d' % (m + 1, y)))
        n += 1
        if y < 2000 or k > hi:
            b.reject('pharmacie.csv', n, 'FLX_TRT_DTD', 'processing_out_of_window')
    b.outcome('pharmacie.csv', loaded=n - 4 - len(b.rejects), rejected=len(b.rejects))
    b.sql = [(str(n - 4 - len(b.rejects)), "SELECT count(DISTINCT date_trunc('month', flx_trt_dtd)) FROM claim_line")]
    yield b

    b = Batch('field-10mb', 'a 10 MB PFS_RAI_SOC field in professionnels.csv')
    lenient(b)
    b.append('professionnels.csv', raw=b'31100007;;;' + b'X' * (10 * 1024 * 1024) + b'\n')
    b.outcome('professionnels.csv', rejected=1)
    b.reject('professionnels.csv', 8, 'PFS_RAI_SOC', 'too_long')
    yield b
    b = Batch('fields-100000', 'a pharmacie line of 100,000 fields')
    lenient(b)
    b.append('pharmacie.csv', raw=b';'.join([b'1'] * 100000) + b'\n')
    b.outcome('pharmacie.csv', rejected=1)
    b.reject('pharmacie.csv', 5, '-', 'field_count')
    yield b
    b = Batch('field-10mb-quoted', 'a 10 MB quoted field holding line breaks and doubled quotes, in an ignored column')
    b.replace('actes.csv', '30,00;76100004;1;;;;;0;5000000006', b'"' + b'A""\n' * (2 * 1024 * 1024) + b'";76100004;1;;;;;0;5000000006')
    b.lines['actes.csv'] = 4
    yield b


def main(argv):
    if len(argv) == 3 and argv[1] == '--large':
        for b in large_cases():
            b.write(argv[2])
        return 0
    if len(argv) == 2 and argv[1] == '--check':
        with tempfile.TemporaryDirectory() as tmp:
            for b in CASES:
                b.write(tmp)
            want = sorted(os.listdir(tmp))
            have = sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d)))
            bad = [c for c in set(want) ^ set(have)]
            for c in want:
                if c in have:
                    for f in set(os.listdir(os.path.join(tmp, c))) | set(os.listdir(os.path.join(HERE, c))):
                        a, z = os.path.join(tmp, c, f), os.path.join(HERE, c, f)
                        if not (os.path.exists(a) and os.path.exists(z) and open(a, 'rb').read() == open(z, 'rb').read()):
                            bad.append(c + '/' + f)
            for x in sorted(bad):
                print('make-cases: differs from the script: ' + x)
            return 1 if bad else 0
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 64
    for d in os.listdir(HERE):
        if os.path.isdir(os.path.join(HERE, d)):
            shutil.rmtree(os.path.join(HERE, d))
    for b in CASES:
        b.write(HERE)
    print('make-cases: %d cases' % len(CASES))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
