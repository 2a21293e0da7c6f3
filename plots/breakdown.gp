# breakdown.gp DATA OUT TITLE YLABEL A B C D E
# Where the time went in one case: a stacked bar per method, the segments
# a-e of its median-total-time migration (report/breakdown.h), and a mark at
# the measured total (segments that overlapped in time are cut by the
# generator to fit under it).  DATA is written by report-gen: "x method a b c d e total".
# A-E are the segments' legend labels.  Writes OUT.png and OUT.svg.
reset
load plotscripts.'/common.gp'

stats ARG1 using 1 nooutput
set xrange [-0.6:STATS_max + 0.6]
set yrange [0:*]
set offsets 0, 0, graph 0.05, 0
set xtics scale 0
set format y '%.0f'
set title ARG3
set ylabel ARG4
set style fill solid 0.75 border rgb '#303030'
set boxwidth 0.6
label(p) = p == 1 ? ARG5 : p == 2 ? ARG6 : p == 3 ? ARG7 : p == 4 ? ARG8 : ARG9
# Top of segment p: segments 1..p stacked (data columns 3..2+p).
top(p) = sum [k=3:2+p] column(k)

@to_png
set output ARG2.'.png'
# Tallest first, so each shorter stack is drawn over it and shows its part.
plot for [p=5:1:-1] ARG1 using 1:(top(p)):xtic(2) with boxes lt p title label(p), \
     '' using 1:8 with points pt 9 ps 1.6 lc rgb '#202020' title 'measured total'
@to_svg
set output ARG2.'.svg'
replot
unset output
