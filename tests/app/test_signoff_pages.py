

def test_the_approvals_page_speaks_vietnamese(signoff_dir):
    at = approvals_vi = signed_in("approver1", lang="vi")
    approvals_vi.switch_page("views/approvals.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Phê duyệt số liệu"]
    assert "MOFA · Quý 3/2026 — 1 giá trị" in page_text(at)
    assert [b.label for b in at.button if b.label.startswith("Phê duyệt")] == ["Phê duyệt MOFA 2026-Q3"]
    assert {"Đang chờ phê duyệt", "Khóa quý", "Nhật ký thao tác"} <= {s.value for s in at.subheader}
