"""`hotline accounts import/find` and `demo-data`, end to end through the console command."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

GOOD = '''account_no,name,district,compound,building,unit,room,phones
20000001,王伟,铁西区,阳光花园,3,2,501,13800138000;024-25610001
20000002,"李""娜""",和平区,幸福里,12,1,302,13900139000
'''
BAD_AND_GOOD = """account_no,name,district,compound,building,unit,room,phones
20000001,王伟,铁西区,阳光花园,3,2,502,13800138000
,没有户号,铁西区,阳光花园,1,1,101,13700137000
20000003,张敏,沈河区,锦绣家园,5,3,1201,abc
20000004,赵强,沈河区,锦绣家园,5,3,1202,13600136000,extra
20000005,'; DROP TABLE heating_account;--,沈河区,锦绣家园,5,3,1203,13500135000
"""


def hotline(home, *args, check=False):
    env = {**os.environ, "HOTLINE_HOME": str(home)}
    env.pop("HOTLINE_DB_URL", None)
    r = subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=env, capture_output=True,
                       text=True, timeout=120)
    if check:
        assert r.returncode == 0, r.stderr
    return r


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def test_import_then_find_by_phone_and_account(home, tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(GOOD, encoding="utf-8")
    r = hotline(home, "accounts", "import", str(f), check=True)
    assert "2 new" in r.stdout
    found = json.loads(hotline(home, "accounts", "find", "--phone", "02425610001", "--json", check=True).stdout)
    assert [a["account_no"] for a in found] == ["20000001"]
    assert found[0]["address"] == "铁西区阳光花园3号楼2单元501室"
    assert found[0]["phones"] == ["13800138000", "02425610001"]
    one = json.loads(hotline(home, "accounts", "find", "--account", "20000002", "--json", check=True).stdout)
    assert one[0]["name"] == '李"娜"'


def test_reimport_updates_never_duplicates_and_bad_rows_are_reported_by_line_importing_nothing(home, tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(GOOD, encoding="utf-8")
    hotline(home, "accounts", "import", str(f), check=True)
    again = hotline(home, "accounts", "import", str(f), check=True)
    assert "0 new" in again.stdout and "2 unchanged" in again.stdout
    g = tmp_path / "b.csv"
    g.write_text(BAD_AND_GOOD, encoding="utf-8")
    r = hotline(home, "accounts", "import", str(g))
    assert r.returncode == 2
    assert "3 bad row(s) of 5: nothing imported" in r.stdout
    assert f"{g}:3: account_no is empty" in r.stderr
    assert f"{g}:4: phone 'abc'" in r.stderr
    assert f"{g}:5: more fields" in r.stderr
    acc = json.loads(hotline(home, "accounts", "find", "--account", "20000001", "--json", check=True).stdout)[0]
    assert acc["room"] == "501"                      # the good rows of a bad file wait for the fixed file
    fixed = "\n".join(line for n, line in enumerate(BAD_AND_GOOD.splitlines(), 1) if n not in (3, 4, 5)) + "\n"
    g.write_text(fixed, encoding="utf-8")
    r = hotline(home, "accounts", "import", str(g), check=True)
    assert "1 new, 1 updated" in r.stdout
    acc = json.loads(hotline(home, "accounts", "find", "--account", "20000001", "--json", check=True).stdout)[0]
    assert acc["room"] == "502"
    sql = json.loads(hotline(home, "accounts", "find", "--account", "20000005", "--json", check=True).stdout)[0]
    assert sql["name"] == "'; DROP TABLE heating_account;--"


def test_master_file_larger_than_a_lookup_chunk_imports_and_reimports_every_line(home, tmp_path):
    from hotline.admin.accounts import IMPORT_CHUNK
    n = IMPORT_CHUNK * 2 + 7          # the look-up runs in chunks: cross both boundaries
    head = "account_no,name,district,compound,building,unit,room,phones\n"
    rows = [f"{30000000 + i},住户{i},铁西区,阳光花园,{i // 100},1,{i % 100 + 101},139{i:08d}\n" for i in range(n)]
    f = tmp_path / "big.csv"
    f.write_text(head + "".join(rows), encoding="utf-8")
    assert f"{n} new" in hotline(home, "accounts", "import", str(f), check=True).stdout
    rows[IMPORT_CHUNK] = rows[IMPORT_CHUNK].replace("住户", "新户主")   # first line of the 2nd chunk
    f.write_text(head + "".join(rows), encoding="utf-8")
    again = hotline(home, "accounts", "import", str(f), check=True).stdout
    assert "0 new" in again and "1 updated" in again and f"{n - 1} unchanged" in again
    acc = json.loads(hotline(home, "accounts", "find", "--account", str(30000000 + IMPORT_CHUNK), "--json",
                             check=True).stdout)[0]
    assert acc["name"] == f"新户主{IMPORT_CHUNK}"


def test_malformed_files_get_one_clear_line(home, tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("account_no,name\n1,\xe9\n".encode("latin-1"))
    r = hotline(home, "accounts", "import", str(latin))
    assert r.returncode == 1 and "not UTF-8 or GB18030" in r.stderr
    nohead = tmp_path / "nohead.csv"
    nohead.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    r = hotline(home, "accounts", "import", str(nohead))
    assert r.returncode == 1 and "header lacks account_no" in r.stderr
    r = hotline(home, "accounts", "import", str(tmp_path / "missing.csv"))
    assert r.returncode == 1 and "no such file" in r.stderr


def test_demo_data_is_realistic_and_idempotent(home):
    r = hotline(home, "demo-data", "--accounts", "30", check=True)
    assert "30 accounts" in r.stdout and "4 repair stations" in r.stdout
    r = hotline(home, "demo-data", "--accounts", "30", check=True)
    assert "0 accounts" in r.stdout
    acc = json.loads(hotline(home, "accounts", "find", "--account", "20000001", "--json", check=True).stdout)[0]
    assert acc["district"].endswith("区") and acc["phones"]
    assert all(p.isdigit() and 7 <= len(p) <= 12 for p in acc["phones"])


def test_unreachable_database_is_one_line(home):
    env = {**os.environ, "HOTLINE_HOME": str(home), "HOTLINE_DB_URL": "postgresql://x@127.0.0.1:1/none"}
    r = subprocess.run([sys.executable, "-m", "hotline.cli", "accounts", "find", "--phone", "1"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "unreachable" in r.stderr
