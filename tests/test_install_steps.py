"""README "Production install" against the samples it installs: every file in ops/ is put in place by
a step, the folders the units and samples write to are made by one, every command a step runs is
installed by step 1 (and every program the units run), the cron lines are those the other sections give, and the journal keeps the
site's log as long as the privacy page says. (The steps themselves were run by hand on Debian 12:
README, after the list.)"""

import re
from pathlib import Path

from webapp import settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
OPS = ROOT / "ops"


def install_section() -> str:
    return README[README.index("### Production install\n") : README.index("\nTo update: ")]


def test_every_sample_in_ops_is_installed_by_a_step():
    samples = sorted(path.name for path in OPS.iterdir() if path.is_file())
    assert [name for name in samples if f"ops/{name}" not in install_section()] == []


def test_the_folders_the_site_and_litestream_write_to_are_made_owned_by_the_site():
    steps = install_section()
    unit = (OPS / "webapp.service").read_text()
    (data,) = re.findall(r"^ReadWritePaths=(\S+)$", unit, re.M)
    assert f"adduser --system --group --home {data} webapp && chmod 0750 {data}" in steps
    env = settings.read_env_file(OPS / "webapp.env")
    assert env["WEBAPP_INSTANCE_PATH"] == data
    (replica,) = re.findall(r"^\s+path: (/var/backups/\S+)$", (OPS / "litestream.yml").read_text(), re.M)
    folder = str(Path(replica).parent)
    assert f"install -d -m 0750 -o webapp -g webapp\n   {folder}`" in steps  # the copies: the site's user alone


def step_one_packages() -> set[str]:
    (packages,) = re.findall(r"apt-get install -y ([a-z0-9 -]+)`", install_section())
    return set(packages.split())


def test_every_command_the_steps_run_is_installed_by_step_one():
    steps = install_section()
    needed = {"sudo -u": "sudo", "crontab ": "cron", "curl ": "curl", "nginx -t": "nginx", "make ": "make", "git ": "git"}
    needed |= {"then edit `/etc/webapp/env`": "nano", "crontab -u webapp -e": "nano"}  # a minimal Debian has no editor
    assert {package for command, package in needed.items() if command in steps} - step_one_packages() == set()
    assert steps.index("apt-get update && apt-get install") < steps.index("2. ")  # a fresh host has no package lists


def test_every_program_the_units_run_is_the_venvs_or_installed_by_step_one():
    debian = {"/bin/kill": "procps"}  # not in a minimal Debian, so `systemd-analyze verify` fails without it
    for unit in sorted(OPS.glob("*.service")):
        for program in re.findall(r"^Exec\w*=[-@:+!]*(\S+)", unit.read_text(), re.M):
            assert program.startswith("/srv/webapp/.venv/bin/") or debian[program] in step_one_packages(), (unit.name, program)


def test_the_cron_lines_are_the_backup_and_retention_sections_own():
    (block,) = re.findall(r"crontab -u webapp -e` with the lines\n\s+```\n(.*?)\n\s+```", install_section(), re.S)
    lines = [line.strip() for line in block.splitlines()]
    backups = README[README.index("**Backups.**") :]
    copies = README[README.index("**The copies.**") :]
    assert len(lines) == 2
    assert f"`{lines[0]}`" in backups[: backups.index("\n\n")]
    assert f"`{lines[1]}`" in copies[: copies.index("So a message deleted")]


def test_the_journal_keeps_the_sites_log_as_long_as_the_privacy_page_says(client):
    page = client.get("/en/privacy").text
    (days,) = re.findall(r"log of the pages it has served is kept for (\d+) days", page)
    conf = (OPS / "journald-webapp.conf").read_text()
    assert re.search(rf"^MaxRetentionSec={days}day$", conf, re.M)
    assert re.search(r"^MaxFileSec=1day$", conf, re.M)  # files are deleted whole: none may span longer
    assert "/etc/systemd/journald.conf.d/webapp.conf" in install_section()
