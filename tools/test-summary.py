#!/usr/bin/env python3
# Reads one or more meson testlog.json files (main build, sanitizer build,
# fuzz build) and prints the closing line "N passed, N failed" over all runs.
# A skipped test counts as failed unless its output says why it cannot run
# here (a line starting with "SKIP:"), so a silent skip never hides a failure.
# A test whose output holds a sanitizer report fails even if it exited 0
# (a child process's report may not reach the exit status).  An argument that
# is a directory holds sanitizer report files (ASAN_OPTIONS=log_path=): each
# one counts as a failure and is printed.
#
# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import re
import sys

SANITIZER_REPORT = re.compile(r'ERROR: (Address|Leak|Memory|Thread)Sanitizer|'
                              r': runtime error: |SUMMARY: UndefinedBehaviorSanitizer')


def output(test):
    return (test.get('stdout') or '') + (test.get('stderr') or '')


def main():
    passed = failed = skipped = 0
    for path in sys.argv[1:]:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                failed += 1
                with open(os.path.join(path, name), errors='replace') as report:
                    print(f'failed {name}: sanitizer report\n{report.read()[:4000]}')
            continue
        if not os.path.exists(path):
            failed += 1
            print(f'failed {path}: no test log (the run did not happen)')
            continue
        with open(path, encoding='utf-8') as log:
            for line in log:
                test = json.loads(line)
                result = test['result']
                if result in ('OK', 'EXPECTEDFAIL') and SANITIZER_REPORT.search(output(test)):
                    failed += 1
                    print(f"failed {test['name']}: sanitizer report in its output")
                elif result == 'OK' or result == 'EXPECTEDFAIL':
                    passed += 1
                elif result == 'SKIP' and 'SKIP:' in output(test):
                    skipped += 1
                    reason = [l for l in output(test).splitlines() if 'SKIP:' in l][0]
                    print(f"skipped {test['name']}: {reason.strip()}")
                else:
                    failed += 1
                    print(f"failed {test['name']}: {result}")
    closing = f'{passed} passed, {failed} failed'
    if skipped:
        closing += f', {skipped} skipped'
    print(closing)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
