from conftest import *
def test_x(kb):
    p = kb.write()
    print(p.read_text())
    print(kb.check())
    print(kb.stderr)
