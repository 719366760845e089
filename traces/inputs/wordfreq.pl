# wordfreq.pl: the perl trace's script (traces/catalog.tsv): counts the words of a file,
# groups them by length and prints the most frequent, with a few string rewrites on the way.
# It reads the first 1000 lines only.
use strict;
use warnings;

my (%count, %by_length);
while (my $line = <>) {
    last if $. > 1000;
    chomp $line;
    for my $word (split /\s+/, $line) {
        $count{$word}++;
        push @{ $by_length{ length $word } }, $word;
    }
}
my @top = (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count)[0 .. 19];
printf "%-8s %d\n", $_, $count{$_} for @top;
for my $length (sort { $a <=> $b } keys %by_length) {
    my %seen;
    my @unique = grep { !$seen{$_}++ } @{ $by_length{$length} };
    (my $joined = join ',', @unique[0 .. ($#unique < 9 ? $#unique : 9)]) =~ s/([aeiou])/\U$1/g;
    printf "%d letters: %d words, %d unique: %s\n", $length, scalar @{ $by_length{$length} },
        scalar @unique, $joined;
}
