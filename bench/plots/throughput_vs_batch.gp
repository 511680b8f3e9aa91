# Ingest throughput and p99 ack latency against batch size, depositd and the
# no-op server, from a depositd-loadgen CSV (bench/ingest.sh).
#   gnuplot -e "in='bench/results/ingest.csv'" -e "out='x.png'" \
#           -e "subtitle='...'" bench/plots/throughput_vs_batch.gp
if (!exists("subtitle")) subtitle = ''
set datafile separator ','
set terminal pngcairo size 900,900 font 'DejaVu Sans,10'
set output out
set multiplot layout 2,1 title "Ingest over EventIngest.Stream, realistic mix\n".subtitle
# One series per label (lines join only consecutive points of a series).
noop = '< grep "^ingest,noop," '.in
dep = '< grep "^ingest,depositd," '.in
set logscale x
set xlabel 'events per batch'
set grid
set key top left
set logscale y
set format y '%.0s%c'
set ylabel 'events/s'
plot noop using 6:10 with linespoints lw 2 pt 7 title 'no-op server (transport ceiling)', \
     dep using 6:10 with linespoints lw 2 pt 5 title 'depositd, durable acks'
set ylabel 'ack latency p99 per batch (ms)'
set format y '%g'
plot noop using 6:13 with linespoints lw 2 pt 7 title 'no-op p99', \
     dep using 6:13 with linespoints lw 2 pt 5 title 'depositd p99', \
     dep using 6:11 with linespoints lw 1 dt 2 pt 4 title 'depositd p50'
unset multiplot
