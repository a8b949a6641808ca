#!/usr/bin/env python3
"""Independent reference of the boundary detector (numpy, written apart from the Swift code) and
of the TCPD F1 metric. Prints the F1 (margin 5) of the default parameters on the 19 series of
shared/data/changepoints; BoundaryDefaultsPinTests pins the same numbers.

    python3 reference_detector.py [DATA_DIR]

Default parameters in this script's encoding: anticipator 3 (linear), L 20, scale 1 (mean
absolute step x sqrt(pi/2)), test 0 (mean/sd z), tau 5, n_min 5, K_max 512, floor 1, gap 0,
CUSUM k 0.5, h 8, position = current record, error memory kept across boundaries (keep=True).
The test's sigma floor is divided by sqrt(D) (the error is a mean of D terms). The unit's floor relative to the values' magnitude (rel 1e-6) is applied here as in the Swift
detector; this script predicts with the direct weighted sum over the window, the Swift code with
running sums, so agreement also shows the detections do not hang on how the prediction rounds.
"""
import json, sys
import numpy as np
import os
D=(sys.argv[1] if len(sys.argv)>1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),'../../../../../shared/data/changepoints'))+'/'
ann=json.load(open(D+'annotations.json'))
NAMES=sorted(ann)
def load():
    out=[]
    for n in NAMES:
        d=json.load(open(D+n+'.json'))
        cols=[np.array([np.nan if v is None else v for v in s['raw']],dtype=np.float64) for s in d['series']]
        X=np.stack(cols,1).astype(np.float32).astype(np.float64)
        a=ann[n]; A=[a[k] for k in sorted(a)]
        out.append((n,X,A))
    return out
def tp(truth,pred,m):
    free=sorted(pred); c=0
    for t in sorted(truth):
        best=-1
        for i,p in enumerate(free):
            if abs(p-t)<=m and (best<0 or abs(p-t)<abs(free[best]-t)): best=i
        if best>=0: c+=1; free.pop(best)
    return c
def f1(pred,A,m=5):
    x=set(list(pred)+[0]); sets=[set(a+[0]) for a in A]; U=set().union(*sets)
    P=tp(U,x,m)/len(x); R=np.mean([tp(s,x,m)/len(s) for s in sets])
    return 0 if P+R==0 else 2*P*R/(P+R)
ZERO=dict(bank=1.000,brent_spot=0.315,nile=0.824,run_log=0.446,seatbelts=0.621,us_population=0.889,well_log=0.237,businv=0.588,children_per_woman=0.507,construction=0.696,gdp_argentina=0.824,gdp_iran=0.652,global_co2=0.846,jfk_passengers=0.723,ozone=0.723,quality_control_2=0.750,quality_control_4=0.780,rail_lines=0.537,unemployment_nl=0.566)
BOCPD=dict(bank=0.047,brent_spot=0.521,nile=1.000,run_log=1.000,seatbelts=0.583,us_population=0.216,well_log=0.796,businv=0.270,children_per_woman=0.637,construction=0.634,gdp_argentina=0.947,gdp_iran=0.622,global_co2=0.754,jfk_passengers=0.437,ozone=0.650,quality_control_2=1.000,quality_control_4=0.658,rail_lines=0.846,unemployment_nl=0.683)
def loso(scores):
    # scores: array (nsets, nseries)
    S=np.asarray(scores); k=S.shape[1]; held=[]
    for j in range(k):
        others=np.delete(S,j,1).mean(1); i=int(np.argmax(others)); held.append(S[i,j])
    return float(np.mean(held)), held

import math
import numpy as np

def run(X, ant, L, alpha, scalek, testk, tau, nmin, kmax, floor, gap, ck=0.5, ch_=1e9, loc=0, keep=False, rel=1e-6):
    n,D=X.shape
    ctx=np.zeros((max(L,1),D)); cc=0; ch=0
    scale=np.zeros(D); sc=0; prev=np.zeros(D); hasprev=False
    mem=np.zeros(kmax); mc=0; mh=0
    out=[]; last=-1
    pred=np.zeros(D)
    S=0.0; sstart=0
    for t in range(n):
        cur=X[t].copy()
        if hasprev:
            m=sc+1.0
            for d in range(D):
                df=cur[d]-prev[d]
                if scalek==0: scale[d]+=(df*df-scale[d])/m
                else: scale[d]+=(abs(df)-scale[d])/m
            sc+=1
        have=cc>0; e=0.0
        if have:
            k=cc; l=L if ant!=0 and ant!=2 else 1
            first=ch-k+l
            if ant==0 or ant==2:
                r=(first+k-1)%l
                for d in range(D): pred[d]=ctx[r,d]
            elif ant==1:
                for d in range(D): pred[d]=0
                for i in range(k):
                    r=(first+i)%l
                    for d in range(D): pred[d]+=ctx[r,d]
                for d in range(D): pred[d]/=k
            else:
                xb=(k-1)/2; sxx=0.0
                for i in range(k): sxx+=(i-xb)**2
                lead=k-xb
                for d in range(D): pred[d]=0
                for i in range(k):
                    r=(first+i)%l
                    w=1/k+((i-xb)*lead/sxx if k>1 else 0.0)
                    for d in range(D): pred[d]+=w*ctx[r,d]
            s=0.0
            for d in range(D):
                rr=cur[d]-pred[d]
                s2=scale[d] if sc>0 else 0.0
                if scalek==0: sd=math.sqrt(s2)
                else: sd=s2*1.2533141373155
                # the unit's floor relative to the magnitude of the values compared
                sd=max(sd, rel*max(abs(cur[d]),abs(pred[d])))
                if rr==0: term=0.0
                elif sd==0: term=1000.0
                else: term=min(abs(rr)/sd,1000.0)
                s+=term
            e=s/D
        for d in range(D): prev[d]=cur[d]
        hasprev=True
        if have:
            armed= last<0 or t-last>gap
            b=False
            if mc>=nmin and armed:
                vals=np.empty(mc)
                for i in range(mc): vals[i]=mem[(mh-mc+i+kmax)%kmax]
                # the floor is per dimension; a mean of D standardised terms spreads as 1/sqrt(D)
                fl=floor/math.sqrt(D)
                if testk==0:
                    mu=vals.mean(); sg=vals.std()*math.sqrt(mc/(mc-1))
                    z=(e-mu)/max(sg,fl)
                else:
                    med=np.median(vals); mad=np.median(np.abs(vals-med))*1.4826
                    z=(e-med)/max(mad,fl)
                b=z>tau
                if not b:
                    S=max(0.0,S+z-ck)
                    if S==0.0: sstart=t+1
                    if S>ch_: b=True
            if b:
                p=t if (loc==0 or S<=ch_) else max(sstart,last+1)
                out.append(p); cc=0; ch=0; last=t; S=0.0; sstart=t+1
                if not keep: mc=0; mh=0
            if keep or not b:
                mem[mh]=e; mh=(mh+1)%kmax; mc=min(mc+1,kmax)
        # push
        if ant==2:
            if cc==0:
                for d in range(D): ctx[0,d]=cur[d]
                cc=1
            else:
                for d in range(D): ctx[0,d]=alpha*cur[d]+(1-alpha)*ctx[0,d]
            ch=0
        else:
            l=L if ant!=0 else 1
            for d in range(D): ctx[ch,d]=cur[d]
            ch+=1
            if ch==l: ch=0
            if cc<l: cc+=1
    return out

if __name__ == "__main__":
    scores = []
    for name, X, A in load():
        s = f1(run(X, 3, 20, 0.0, 1, 0, 5.0, 20, 512, 1.0, 0, 0.5, 8.0, 0, keep=True), A)
        scores.append(s)
        print(f"{name:20s} {s!r}")
    print("mean", repr(float(np.mean(scores))))
