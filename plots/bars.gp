# bars.gp DATA OUT TITLE YLABEL
# One figure of one case: a bar per method at the median, coloured by its
# family, a whisker from min to max, a dot for every counted migration
# (outliers are kept and shown), n beside each method's name, and dashed
# lines at baseline's median and (downtime) the limit.  DATA is written by
# report-gen: block 0 "x method median min max n family", block 1 "x value".
# Variables the driver sets first: fams, famnames (the families present,
# for the legend), ref_baseline, ref_limit (-1: none), logy (1: log axis,
# when the medians span 20x or more).  Writes OUT.png, OUT.svg.
reset
load plotscripts.'/common.gp'

stats ARG1 index 0 using 1 nooutput
nx = STATS_max + 1
set xrange [-0.6:STATS_max + 0.6]
if (logy) {
	set logscale y
	set format y '%g'
	set ylabel ARG4.' (log scale)'
} else {
	set yrange [0:*]
	set format y '%g'
	set ylabel ARG4
}
set offsets 0, 0, graph 0.1, 0
set xtics scale 0 rotate by 30 right
set bmargin 7
set key outside top center horizontal
set title ARG3
set style fill solid 0.75 border rgb '#303030'
set boxwidth 0.6
if (ref_baseline > 0) { eval refline(1, ref_baseline, 'baseline median '.label_of(ref_baseline), '#404040') }
if (ref_limit > 0) { eval refline(2, ref_limit, 'downtime limit '.label_of(ref_limit), '#c03838') }
w = nx > 10 ? 1200 : 960

do for [out=1:2] {
	eval term_of(out, w, 600)
	set output ARG2.ext_of(out)
	plot ARG1 index 0 using 1:3:7:xtic(sprintf("%s (n=%d)", strcol(2), column(6))) \
		  with boxes lc variable notitle, \
	     ''   index 0 using 1:3:4:5 with yerrorbars lc rgb '#202020' pt 0 lw 1.5 title 'min-max', \
	     ''   index 1 using 1:2 with points pt 7 ps 0.6 lc rgb '#202020' title 'each migration', \
	     ''   index 0 using 1:5:(label_of(column(3))) with labels offset 0, 0.8 notitle, \
	     for [k=1:words(fams)] keyentry with boxes lt int(word(fams, k)) title word(famnames, k)
	unset output
}
