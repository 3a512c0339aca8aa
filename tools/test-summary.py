#!/usr/bin/env python3
# Reads meson's testlog.json and prints the closing line "N passed, N failed".
# A skipped test counts as failed unless its output says why it cannot run
# here (a line starting with "SKIP:"), so a silent skip never hides a failure.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import sys


def main():
    passed = failed = skipped = 0
    with open(sys.argv[1], encoding='utf-8') as log:
        for line in log:
            test = json.loads(line)
            result = test['result']
            if result == 'OK' or result == 'EXPECTEDFAIL':
                passed += 1
            elif result == 'SKIP' and 'SKIP:' in (test.get('stdout') or ''):
                skipped += 1
                reason = [l for l in test['stdout'].splitlines() if 'SKIP:' in l][0]
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
