def vote_list(r): pass
vote_create=vote_detail=vote_act=ballot=counter_entry=paper_entry=participation=receipt_check=record_download=vote_list
