# bars.gp DATA OUT TITLE YLABEL
# One figure of one case: a bar per method at the median, a whisker from min
# to max, a dot for every counted migration (outliers are kept and shown),
# and n under each method's name.  DATA is written by report-gen: block 0
# "x method median min max n", block 1 "x value".  Writes OUT.png, OUT.svg.
reset
load plotscripts.'/common.gp'

stats ARG1 index 0 using 1 nooutput
set xrange [-0.6:STATS_max + 0.6]
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
set xtics scale 0
set bmargin 4.5
set format y '%.0f'
set title ARG3
set ylabel ARG4
set style fill solid 0.55 border rgb '#303030'
set boxwidth 0.6
label_of(v) = v >= 100 ? sprintf('%.0f', v) : sprintf('%.3g', v)

@to_png
set output ARG2.'.png'
plot ARG1 index 0 using 1:3:xtic(sprintf("%s\nn=%d", strcol(2), column(6))) \
          with boxes lt 1 title 'median', \
     ''   index 0 using 1:3:4:5 with yerrorbars lc rgb '#202020' pt 0 lw 1.5 title 'min-max', \
     ''   index 1 using 1:2 with points pt 7 ps 0.7 lc rgb '#c04848' title 'each migration', \
     ''   index 0 using 1:5:(label_of(column(3))) with labels offset 0, 0.8 notitle
@to_svg
set output ARG2.'.svg'
replot
unset output
