# script.py: the short script the python3 trace runs (traces/catalog.tsv).
import json
words = {}
for i in range(800):
    key = "w%d" % (i * 7919 % 1000)
    words.setdefault(key, []).append(i)
text = json.dumps(words, sort_keys=True)
print(len(text), len(json.loads(text)))
