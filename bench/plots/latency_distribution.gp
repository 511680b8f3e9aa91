# Latency percentile distribution (HdrHistogram style: x = 1/(1-p)) of up to
# three depositd-loadgen --latency-csv files a, b, c with labels.
#   gnuplot -e "a='d.csv'" -e "alabel='depositd'" -e "b='n.csv'" \
#           -e "blabel='no-op'" -e "out='x.png'" -e "title_text='...'" \
#           bench/plots/latency_distribution.gp
if (!exists("title_text")) title_text = 'Latency distribution'
set datafile separator ','
set terminal pngcairo size 900,560 font 'DejaVu Sans,10'
set output out
set title title_text
set logscale x
set logscale y
set xrange [1:*]
set xtics ('0%%' 1, '50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000)
set xlabel 'percentile'
set ylabel 'latency (ms)'
set grid
set key bottom right
cmd = "plot a every ::1 using 3:2 with lines lw 2 title alabel"
if (exists("b")) cmd = cmd . ", b every ::1 using 3:2 with lines lw 2 title blabel"
if (exists("c")) cmd = cmd . ", c every ::1 using 3:2 with lines lw 2 title clabel"
eval cmd
