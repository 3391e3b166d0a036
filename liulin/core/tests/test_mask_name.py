from liulin.core.masking import mask_name


def test_mask_name_keeps_the_family_name_only():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "李*"
    assert mask_name("") == ""
