"""Debian's xenstore-utils (libxenstore's clients, nobody here wrote them) against xenstored."""

import subprocess


def test_write_read_exists_rm(xenstored):
    xenstored.run("xenstore-write", "/vm/one", "hello", "/vm/two", "world")
    assert xenstored.run("xenstore-read", "/vm/one").stdout == "hello\n"
    assert xenstored.run("xenstore-read", "/vm/one", "/vm/two").stdout == "hello\nworld\n"
    assert xenstored.run("xenstore-exists", "/vm/two", check=False).returncode == 0
    xenstored.run("xenstore-rm", "/vm/two")
    assert xenstored.run("xenstore-exists", "/vm/two", check=False).returncode != 0
    missing = xenstored.run("xenstore-read", "/vm/two", check=False)
    assert missing.returncode != 0
    # Removing what is already gone is fine while its parent exists.
    xenstored.run("xenstore-rm", "/vm/two")


def test_ls_and_list_show_the_tree(xenstored):
    xenstored.run("xenstore-write", "/local/domain/3/name", "guest", "/local/domain/3/memory", "64")
    listing = xenstored.run("xenstore-ls", "/local/domain/3").stdout
    assert 'name = "guest"' in listing
    assert 'memory = "64"' in listing
    assert xenstored.run("xenstore-list", "/local/domain/3").stdout.split() == ["name", "memory"]
    tree = xenstored.run("xenstore-ls", "/").stdout
    assert tree.startswith("local = \"\"\n domain = \"\"\n  3 = \"\"\n")


def test_chmod_sets_permissions_that_ls_shows(xenstored):
    xenstored.run("xenstore-write", "/perm/node", "x")
    xenstored.run("xenstore-chmod", "/perm/node", "n3", "r4", "b5")
    listing = xenstored.run("xenstore-ls", "-p", "/perm").stdout
    assert "(n3,r4,b5)" in listing
    bad = xenstored.run("xenstore-chmod", "/perm/node", "q1", check=False)
    assert bad.returncode != 0


def test_ls_of_a_huge_directory_pages_with_directory_part(xenstored):
    # More children than one 4096-byte DIRECTORY reply holds: libxenstore falls back to
    # DIRECTORY_PART on E2BIG.
    names = [f"entry-with-a-long-name-{i:04d}" for i in range(300)]
    for start in range(0, len(names), 50):
        args = []
        for name in names[start:start + 50]:
            args += [f"/huge/{name}", name[-4:]]
        xenstored.run("xenstore-write", *args)
    assert xenstored.run("xenstore-list", "/huge").stdout.split() == names


def test_watch_reports_the_initial_event_and_changes(xenstored):
    watcher = subprocess.Popen(["xenstore-watch", "-n", "3", "/watched"], env=xenstored.env,
                               stdout=subprocess.PIPE, text=True)
    # The first line is the initial event: the watch is registered from then on.
    assert watcher.stdout.readline() == "/watched\n"
    xenstored.run("xenstore-write", "/watched/a", "1")
    xenstored.run("xenstore-write", "/unrelated", "1")
    xenstored.run("xenstore-rm", "/watched")
    assert watcher.stdout.readline() == "/watched/a\n"
    assert watcher.stdout.readline() == "/watched\n"
    assert watcher.wait() == 0


def test_many_clients_one_after_another(xenstored):
    for i in range(30):
        xenstored.run("xenstore-write", f"/seq/{i}", str(i))
    assert xenstored.run("xenstore-read", "/seq/29").stdout == "29\n"
    assert len(xenstored.run("xenstore-list", "/seq").stdout.split()) == 30
