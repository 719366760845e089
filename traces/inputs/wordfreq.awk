# wordfreq.awk: the awk trace's script (traces/catalog.tsv): counts words and pairs of
# words in a file, prints the pairs seen more than twice, then joins the words of each
# length into one growing string (mawk keeps small strings in its own pools, and asks malloc
# for the long ones).
{
    for (i = 1; i <= NF; i++) {
        count[$i]++
        if (i > 1)
            pair[$(i - 1) " " $i]++
    }
}
END {
    for (p in pair)
        if (pair[p] > 2)
            print p, pair[p]
    for (w in count)
        joined[length(w)] = joined[length(w)] " " w
    for (n in joined)
        print n, length(joined[n]), substr(joined[n], 1, 60)
}
