#!/usr/bin/env python3
"""Cut the bundled KuaiRand sample from the shared KuaiRand-Pure files.

Keeps every log row of a seeded random subset of users (all 7 days, so the date split works),
and only the user and video rows those log rows reference. Rows are copied unchanged.

usage: eng/make-kuairand-sample.py [SOURCE_DIR] [TARGET_DIR] [TARGET_ROWS]
"""
import csv, gzip, io, random, sys
from pathlib import Path

src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/kuairand-pure")
dst = Path(sys.argv[2] if len(sys.argv) > 2 else "samples/data/kuairand-sample")
target = int(sys.argv[3]) if len(sys.argv) > 3 else 20000

def read(name):
    with gzip.open(src / name, "rt", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]

def write(name, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    # mtime=0 keeps the gzip bytes reproducible.
    with open(dst / name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as f:
        f.write(buf.getvalue().encode("utf-8"))

log_header, log = read("log_20220425_20220501.csv.gz")
by_user = {}
for row in log:
    by_user.setdefault(row[0], []).append(row)
users = sorted(by_user, key=int)
random.Random(2023).shuffle(users)
chosen, count = set(), 0
for u in users:
    if count >= target:
        break
    chosen.add(u)
    count += len(by_user[u])
kept = [row for row in log if row[0] in chosen]
videos = {row[1] for row in kept}

user_header, user_rows = read("user_features_pure.csv.gz")
video_header, video_rows = read("video_features_basic_pure.csv.gz")
dst.mkdir(parents=True, exist_ok=True)
write("log.csv.gz", log_header, kept)
write("user_features.csv.gz", user_header, [r for r in user_rows if r[0] in chosen])
write("video_features.csv.gz", video_header, [r for r in video_rows if r[0] in videos])
print(f"{len(kept)} log rows, {len(chosen)} users, {len(videos)} videos -> {dst}")
