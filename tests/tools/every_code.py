#!/usr/bin/env python3
"""tests/tools/every_code.py — a batch that carries every code of the national referentials.

  every_code.py --referentials DIR --out BATCH --events FILE [--lines-per-person N]
                [--as-of YYYY-MM-DD] [--kinds cip,lpp,ngap,ccam,imaging,nabm,stay,spe]

Writes a valid batch (tests/cli/t0625-every-code.sh) in which every code of
every referential that can reach a document appears at least once, exactly as
the referential lists it, without the filters of fixtures/gen:

  cip      every CIP13 of bdpm/CIS_CIP_bdpm.txt        pharmacie.csv PHA_PRS_C13
  lpp      every LPP_PRS_IDE of snds/NT_LPP.csv        pharmacie.csv TIP_PRS_IDE
  ngap     every PRS_NAT of snds/IR_NAT_V.csv          actes.csv PRS_NAT_REF
  ccam     every CCAM code of snds/IR_CCAM_V63.csv     actes.csv CAM_PRS_IDE
  imaging  the imaging ones (CAM_PRS_RGT ADI) again    radiologie.csv
  nabm     every BIO_PRS_IDE of snds/IR_BIO_R.csv      biologie.csv
  stay     every GRG_GHM of snds/MS_GM9_V.csv and      hospitalisation.csv
           every GHS_NUM of snds/IR_GHS_V.csv
  spe      every PFS_SPE_COD of snds/IR_SPE_V.csv      PSE_SPE_COD of the acts

The lines are dealt to made-up persons, N claim lines each (default 800), so a
document holds many rows; care dates spread over the 24 months before
--as-of. Prints on stderr how many codes of each kind it wrote; never a
person's identifier.
"""
import argparse
import datetime
import importlib.machinery
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_loader = importlib.machinery.SourceFileLoader('gen', os.path.join(HERE, '..', '..', 'fixtures', 'gen'))
_spec = importlib.util.spec_from_loader('gen', _loader)
gen = importlib.util.module_from_spec(_spec)
_loader.exec_module(gen)

KINDS = ('cip', 'lpp', 'ngap', 'ccam', 'imaging', 'nabm', 'stay', 'spe')


def codes(refdir):
    """Every code of each kind, in the referential's order, each once."""
    def once(seq):
        seen, out = set(), []
        for c in seq:
            if c and c not in seen:
                seen.add(c)
                out.append(c)
        return out

    def snds(name, col):
        return once((r[col] or '').strip() for r in gen.read_snds(refdir, name))

    nat_of_rgt, first_nat = {}, None
    for r in gen.read_snds(refdir, 'IR_NAT_V.csv'):
        cb2, nat = (r.get('PRS_NAT_CB2') or '').strip(), (r['PRS_NAT'] or '').strip()
        if cb2 and nat:
            nat_of_rgt.setdefault(cb2, nat)
            first_nat = first_nat or nat
    ccam, imaging = [], []
    for r in gen.read_snds(refdir, 'IR_CCAM_V63.csv'):
        # four codes carry a modifier note after a line break (docs/referentials.md):
        # a claim carries the code alone
        code = (r['CAM_PRS_IDE_COD'] or '').split('\n')[0].strip()
        rgt = (r.get('CAM_PRS_RGT') or '').strip()
        if code and not code.startswith('NT_'):   # NT_09, a note of the list, not an act (docs/referentials.md)
            nat = nat_of_rgt.get(rgt, nat_of_rgt.get('ATM', first_nat))
            ccam.append((code, nat))
            if rgt == 'ADI':
                imaging.append((code, nat))
    return {
        'cip': once(f[6].strip() for f in gen.read_bdpm(refdir, 'CIS_CIP_bdpm.txt') if len(f) > 6),
        'lpp': snds('NT_LPP.csv', 'LPP_PRS_IDE'),
        'ngap': snds('IR_NAT_V.csv', 'PRS_NAT'),
        'ccam': once(ccam),
        'imaging': once(imaging),
        'nabm': snds('IR_BIO_R.csv', 'BIO_PRS_IDE'),
        'ghm': snds('MS_GM9_V.csv', 'GM9_GHM_COD'),
        'ghs': snds('IR_GHS_V.csv', 'GHS_NUM'),
        'spe': snds('IR_SPE_V.csv', 'PFS_SPE_COD'),
    }


def row(header, **f):
    return ';'.join(gen.q(str(f.get(k, ''))) for k in header)


def main():
    p = argparse.ArgumentParser(description='A batch carrying every code of the national referentials.')
    p.add_argument('--referentials', required=True, help='directory with snds/ and bdpm/')
    p.add_argument('--out', required=True)
    p.add_argument('--events', required=True, help='one CREATION event per person, to this file')
    p.add_argument('--as-of', default='2026-11-15')
    p.add_argument('--lines-per-person', type=int, default=800)
    p.add_argument('--kinds', default=','.join(KINDS))
    a = p.parse_args()
    kinds = a.kinds.split(',')
    if set(kinds) - set(KINDS) or a.lines_per_person < 1:
        p.error('--kinds: a comma-separated subset of %s; --lines-per-person >= 1' % ','.join(KINDS))
    c = codes(a.referentials)
    as_of = datetime.date.fromisoformat(a.as_of)
    first = as_of.replace(year=as_of.year - 2) + datetime.timedelta(days=31)
    span = (as_of - first).days - 40      # the processing date stays before --as-of
    os.makedirs(a.out, exist_ok=True)

    def out(name, header):
        return gen.Out(os.path.join(a.out, name), header, 'utf-8', '\n')
    files = {'beneficiaires.csv': out('beneficiaires.csv', gen.H_BEN),
             'pharmacie.csv': out('pharmacie.csv', gen.H_PHA),
             'hospitalisation.csv': out('hospitalisation.csv', gen.H_HOS),
             'actes.csv': out('actes.csv', gen.H_ACT),
             'radiologie.csv': out('radiologie.csv', gen.H_RAD),
             'biologie.csv': out('biologie.csv', gen.H_BIO)}

    # professionals: one per specialty (the acts' executants), a GP prescriber,
    # a pharmacy, a laboratory, a radiologist; one establishment
    spe = c['spe'] if 'spe' in kinds else ['1']
    pros = {'09100001': ('DUPRÉ', 'ANNE', ''), '09900001': ('', '', 'PHARMACIE DU PONT'),
            '09800001': ('', '', 'LABORATOIRE DES TILLEULS'), '09600001': ('ROCHE', 'PAUL', '')}
    exe_of_spe = {}
    for i, s in enumerate(spe):
        num = '093%05d' % (i + 1)
        exe_of_spe[s] = num
        pros[num] = (gen.SURNAMES[i % len(gen.SURNAMES)], gen.PRN_F[i % len(gen.PRN_F)], '')
    eta = '750000001'

    # the lines, dealt to persons in order
    state = {'n': 0, 'person': -1, 'dct': 0, 'rsa': 0}
    persons = []

    def next_line():
        if state['n'] % a.lines_per_person == 0:
            i = len(persons)
            sex = 1 + i % 2
            yy, mm = 40 + i % 50, 1 + i % 12
            nir = '%d%02d%02d75%03d%03d' % (sex, yy, mm, 100 + i // 900, 1 + i % 900)
            prn = (gen.PRN_M if sex == 1 else gen.PRN_F)[i % len(gen.PRN_M)]
            persons.append((nir, prn, '%02d%02d%02d' % (yy, mm, 1 + i % 28)))
            files['beneficiaires.csv'].line(row(
                gen.H_BEN, BEN_NIR=nir, BEN_NIR_CLE='%02d' % gen.nir_key(nir), BEN_RNG_GEM=1,
                BEN_NOM_NAI=gen.SURNAMES[(i * 7) % len(gen.SURNAMES)], BEN_PRN=prn, BEN_PRN_LIS=prn,
                BEN_NAI_DTE='%02d/%02d/19%02d' % (1 + i % 28, mm, yy), BEN_SEX_COD=sex, BEN_NAI_COM='75%03d' % (100 + i // 900)))
        n = state['n']
        state['n'] += 1
        state['dct'] += 1
        day = first + datetime.timedelta(days=(n * 37) % span)
        dis = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        trt = day + datetime.timedelta(days=3 + n % 9)
        return dict(BEN_NIR=persons[-1][0], BEN_RNG_GEM=1, DCT_ORD_NUM='7%09d' % state['dct'],
                    FLX_DIS_DTD=dis.strftime('%d%m%Y'), FLX_EMT_NUM='1%02d' % (n % 97), FLX_EMT_ORD=0, FLX_EMT_TYP=1,
                    FLX_TRT_DTD=trt.strftime('%d%m%Y'), ORG_CLE_NUM='011751000', PRS_ORD_NUM=1, REM_TYP_AFF=1,
                    DPN_QLF=0), day

    said = {}
    # a drug (CIP13) or a device (LPP): the same pharmacy line, another column
    for kind, code_col, qty_col in (('cip', 'PHA_PRS_C13', 'PHA_ACT_QSN'), ('lpp', 'TIP_PRS_IDE', 'TIP_ACT_QSN')):
        if kind not in kinds:
            continue
        for code in c[kind]:
            f, day = next_line()
            f.update({code_col: code, qty_col: 1})
            files['pharmacie.csv'].line(row(gen.H_PHA, PHA_ORD_NUM=1, EXE_SOI_DTD=day.strftime('%d/%m/%Y'),
                                            PFS_EXE_NUM='09900001', PFS_PRE_NUM='09100001', PSP_SPE_COD=1, **f))
        said[kind] = len(c[kind])

    def act(nat, cam, k):
        f, day = next_line()
        s = spe[k % len(spe)]
        files['actes.csv'].line(row(gen.H_ACT, EXE_SOI_DTD=day.strftime('%d/%m/%Y'), PRS_NAT_REF=nat,
                                    CAM_PRS_IDE=cam, CAM_ORD_NUM=1 if cam else 0, PRS_ACT_QTE=1,
                                    PRS_PAI_MNT='25,00', PFS_EXE_NUM=exe_of_spe[s], PSE_SPE_COD=s, **f))
    if 'ngap' in kinds:
        for k, nat in enumerate(c['ngap']):
            act(nat, '', k)
        said['ngap'] = len(c['ngap'])
    if 'ccam' in kinds:
        for k, (code, nat) in enumerate(c['ccam']):
            act(nat, code, k)
        said['ccam'] = len(c['ccam'])
    if 'spe' in kinds:
        said['spe'] = len(spe)
    if 'imaging' in kinds:
        for code, nat in c['imaging']:
            f, day = next_line()
            files['radiologie.csv'].line(row(gen.H_RAD, CAM_ORD_NUM=1, EXE_SOI_DTD=day.isoformat(), CAM_PRS_IDE=code,
                                             PRS_NAT_REF=nat, PRS_ACT_QTE=1, PFS_EXE_NUM='09600001', PSE_SPE_COD=6,
                                             PFS_PRE_NUM='09100001', PSP_SPE_COD=1, **f))
        said['imaging'] = len(c['imaging'])
    if 'nabm' in kinds:
        for code in c['nabm']:
            f, day = next_line()
            files['biologie.csv'].line(row(gen.H_BIO, EXE_SOI_DTD=day.strftime('%d/%m/%Y'), BIO_PRS_IDE=code,
                                           BIO_ACT_QSN=1, BIO_ORD_NUM=1, PFS_EXE_NUM='09800001', PSE_SPE_COD=38,
                                           PFS_PRE_NUM='09100001', PSP_SPE_COD=1, **f))
        said['nabm'] = len(c['nabm'])
    if 'stay' in kinds:
        ghm, ghs = c['ghm'], c['ghs']
        for k in range(max(len(ghm), len(ghs))):
            f, day = next_line()     # a stay counts as a line of the person's budget
            state['rsa'] += 1
            los = k % 4
            files['hospitalisation.csv'].line(row(
                gen.H_HOS, ETA_NUM=eta, RSA_NUM='%010d' % state['rsa'], BEN_NIR=f['BEN_NIR'], BEN_RNG_GEM=1,
                ENT_DAT=day.strftime('%d%m%Y'), SOR_DAT=(day + datetime.timedelta(days=los)).strftime('%d%m%Y'),
                SEJ_NBJ=los, GRG_GHM=ghm[k % len(ghm)], GHS_NUM=ghs[k % len(ghs)]))
        said['ghm'], said['ghs'] = len(ghm), len(ghs)

    counts = {name: o.close() for name, o in files.items()}
    pro = gen.Out(os.path.join(a.out, 'professionnels.csv'), ['PFS_NUM', 'PFS_NOM', 'PFS_PRN', 'PFS_RAI_SOC'],
                  'utf-8', '\n')
    for num in sorted(pros):
        pro.line(';'.join(gen.q(v) for v in (num,) + pros[num]))
    counts['professionnels.csv'] = pro.close()
    etb = gen.Out(os.path.join(a.out, 'etablissements.csv'), ['FINESS', 'RAISON_SOCIALE'], 'utf-8', '\n')
    etb.line('%s;CENTRE HOSPITALIER DES ORMES' % eta)
    counts['etablissements.csv'] = etb.close()
    with open(os.path.join(a.out, 'manifest.csv'), 'w', encoding='utf-8', newline='\n') as m:
        m.write('FICHIER;LIGNES;SHA256;ENCODAGE\n')
        for name in ('beneficiaires.csv', 'pharmacie.csv', 'hospitalisation.csv', 'actes.csv', 'radiologie.csv',
                     'biologie.csv', 'professionnels.csv', 'etablissements.csv'):
            m.write('%s;%d;%s;UTF-8\n' % (name, counts[name][0], counts[name][1]))
    with open(a.events, 'w', encoding='utf-8', newline='') as ev:
        ev.write('INS_C;EVENEMENT;HORODATAGE\n')
        for k, (nir, prn, aammjj) in enumerate(persons):
            t = datetime.datetime(as_of.year, as_of.month, as_of.day, 8) + datetime.timedelta(seconds=k)
            ev.write('%s;CREATION;%s%s\n' % (gen.insc(prn, aammjj, nir), t.strftime('%Y-%m-%dT%H:%M:%S'),
                                              gen.paris_offset(t.date(), t.hour)))
    sys.stderr.write('every_code: %d persons; %s\n' % (len(persons), ' '.join('%s=%d' % kv for kv in said.items())))


if __name__ == '__main__':
    main()
