-- queries.sql: the sqlite3 trace's script (traces/catalog.tsv): a table of 3000 rows made by a
-- recursive query, an index, a join and a few aggregates, in an in-memory database.
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, price REAL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO item SELECT i, printf('item-%05d-%04x', i, i * 40503 % 65536), i % 37, (i * 7919 % 1000) / 10.0 FROM n;
CREATE INDEX item_grp ON item(grp, price);
CREATE TABLE grp AS SELECT grp, count(*) AS n, avg(price) AS mean FROM item GROUP BY grp;
SELECT g.grp, g.n, round(g.mean, 2), max(i.price) FROM grp g JOIN item i ON i.grp = g.grp
 GROUP BY g.grp ORDER BY g.mean DESC LIMIT 5;
SELECT group_concat(name, ',') FROM (SELECT name FROM item WHERE price > 99 ORDER BY name);
UPDATE item SET name = upper(name) WHERE grp < 10;
DELETE FROM item WHERE id % 3 = 0;
SELECT count(*), sum(length(name)) FROM item;
