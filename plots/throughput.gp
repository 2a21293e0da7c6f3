# throughput.gp DATA OUT TITLE YLABEL METHODS
# The guest service's throughput against time since the migration started
# (case3), one line per method; each method's migration window is shaded in
# its colour from its start (dashed line at 0) to its end, with a solid bar
# on top at a height of its own so overlapping windows stay apart.  DATA
# blocks 0..n-1 are the series, n..2n-1 the windows.  Writes OUT.png, OUT.svg.
# Each sample is the rate over the interval that ends at its time, so the
# series are drawn as steps back to the previous sample (fsteps): a guest
# that stalled for seconds shows one low step across the stall, not a
# slope.  The x axis starts 20 s before the migration: the warm-up before
# that is flat and would squeeze the window into a sliver.
reset
load plotscripts.'/common.gp'

n = words(ARG5)
set title ARG3
set ylabel ARG4
set xlabel 'time since migration start (s)'
set yrange [0:*]
set xrange [-20:*]
set arrow 1 from 0, graph 0 to 0, graph 1 nohead dt 2 lc rgb '#404040'

@to_png
set output ARG2.'.png'
plot for [i=1:n] ARG1 index (n + i - 1) using 1:2 with filledcurves y=0 \
          fs transparent solid 0.08 noborder lt i notitle, \
     for [i=1:n] ARG1 index (n + i - 1) using 1:2 with lines lt i lw 5 \
          title word(ARG5, i).' migrating', \
     for [i=1:n] ARG1 index (i - 1) using 1:2 with fsteps lt i title word(ARG5, i)
@to_svg
set output ARG2.'.svg'
replot
unset output
