# endtoend.gp DATA OUT TITLE YLABEL
# End-to-end time of one case as preparation plus migration, on a log axis
# (preparation can be 100x the migration): per method a wide light bar at
# the end-to-end median, a narrow dark bar inside it at the migration-time
# median, a whisker over the end-to-end min-max and a dot per migration.
# DATA is written by report-gen: block 0 "x method median min max n family
# migration", block 1 "x value".  Variables: fams, famnames, ref_baseline.
# Writes OUT.png, OUT.svg.
reset
load plotscripts.'/common.gp'

stats ARG1 index 0 using 1 nooutput
nx = STATS_max + 1
set xrange [-0.6:STATS_max + 0.6]
set logscale y
set format y '%g'
set ylabel ARG4
set offsets 0, 0, graph 0.1, 0
set xtics scale 0 rotate by 30 right
set bmargin 7
set key outside top center horizontal
set title ARG3
set style fill solid 0.3 border rgb '#303030'
if (ref_baseline > 0) { eval refline(1, ref_baseline, 'baseline median '.label_of(ref_baseline), '#404040') }
w = nx > 10 ? 1200 : 960

do for [out=1:2] {
	eval term_of(out, w, 600)
	set output ARG2.ext_of(out)
	plot ARG1 index 0 using 1:3:(0.7):7:xtic(sprintf("%s (n=%d)", strcol(2), column(6))) \
		  with boxes fs solid 0.3 lc variable notitle, \
	     ''   index 0 using 1:8:(0.3):7 with boxes fs solid 0.9 lc variable notitle, \
	     ''   index 0 using 1:3:4:5 with yerrorbars lc rgb '#202020' pt 0 lw 1.5 title 'end-to-end min-max', \
	     ''   index 1 using 1:2 with points pt 7 ps 0.6 lc rgb '#202020' title 'each migration', \
	     ''   index 0 using 1:5:(label_of(column(3))) with labels offset 0, 0.8 notitle, \
	     keyentry with boxes fs solid 0.3 lc rgb '#707070' title 'wide: end-to-end', \
	     keyentry with boxes fs solid 0.9 lc rgb '#707070' title 'narrow: migration alone', \
	     for [k=1:words(fams)] keyentry with boxes fs solid 0.9 lt int(word(fams, k)) title word(famnames, k)
	unset output
}
