# remaining.gp DATA OUT TITLE YLABEL METHODS
# Remaining RAM against time since the migrate command, one line per method
# (its median-total-time migration, from the query-migrate progress history).
# DATA block i is METHODS word i+1.  Writes OUT.png and OUT.svg.
reset
load plotscripts.'/common.gp'

n = words(ARG5)
set title ARG3
set ylabel ARG4
set xlabel 'time since migrate (ms)'
set xrange [0:*]
set yrange [0:*]

@to_png
set output ARG2.'.png'
plot for [i=1:n] ARG1 index (i-1) using 1:2 with lines lt i title word(ARG5, i)
@to_svg
set output ARG2.'.svg'
replot
unset output
